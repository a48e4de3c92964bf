package org.convkit.serve;

/**
 * A request the server answers with an error: the HTTP status, a short machine-readable code and a
 * message that names the problem and what to do. Written as {@code {"error": {"status", "code",
 * "message"}}}.
 */
final class ApiError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Seconds after which a 503 may be retried (the Retry-After header), or 0. */
    final int retryAfter;
    final int status;
    final String code;

    ApiError(int status, String code, String message) {
        this(status, code, message, 0);
    }

    ApiError(int status, String code, String message, int retryAfter) {
        super(message, null, false, false); // an answer, not a bug: no stack trace
        this.status = status;
        this.code = code;
        this.retryAfter = retryAfter;
    }

    /** The server drains (SIGTERM): this instance takes no more work. */
    static ApiError stopping() {
        return new ApiError(503, "stopping", "the server is stopping; retry on another instance", 1);
    }

    static ApiError busy(String message) {
        return new ApiError(503, "busy", message, 1);
    }

    /** The JSON body. */
    Body body() {
        return new Body(new Detail(status, code, getMessage()));
    }

    record Body(Detail error) {}

    record Detail(int status, String code, String message) {}
}
