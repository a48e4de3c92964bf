package org.convkit.serve;

import java.io.IOException;
import java.nio.ByteBuffer;
import org.convkit.core.Json;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * The errors Jetty answers itself, before a request reaches the API (a request while the server
 * drains, a malformed request line, headers too large), in the API's JSON form instead of an HTML
 * page: every answer of the server is JSON the clients already parse.
 */
final class JsonErrors extends ErrorHandler {
    private final java.util.function.BooleanSupplier stopping;

    JsonErrors(java.util.function.BooleanSupplier stopping) {
        this.stopping = stopping;
    }

    @Override
    protected void generateResponse(Request request, Response response, int code, String message, Throwable cause,
            Callback callback) throws IOException {
        ApiError e = code == HttpStatus.SERVICE_UNAVAILABLE_503 && stopping.getAsBoolean()
                ? ApiError.stopping()
                : new ApiError(code, "http_" + code, message == null ? HttpStatus.getMessage(code) : message,
                        code == HttpStatus.SERVICE_UNAVAILABLE_503 ? 1 : 0);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        if (e.retryAfter > 0) {
            response.getHeaders().put(HttpHeader.RETRY_AFTER, Integer.toString(e.retryAfter));
        }
        response.write(true, ByteBuffer.wrap(Json.mapper().writeValueAsBytes(e.body())), callback);
    }
}
