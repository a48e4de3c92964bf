package org.convkit.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.http.UploadedFile;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import org.convkit.data.Sample;

/**
 * The images of a {@code POST /v1/predict}, in the three forms it takes: the raw bytes of one image
 * as the body ({@code image/*} or {@code application/octet-stream}), files as the parts of a
 * {@code multipart/form-data} form, or JSON {@code {"images": ["<base64>" | {"id": "...", "data":
 * "<base64>"}]}}. Bodies above the upload limit are refused with 413 from their Content-Length
 * when they declare one, else as soon as the limit is passed.
 */
final class Uploads {
    static final String ACCEPTED = "send one image as the body (Content-Type image/* or application/octet-stream),"
            + " files as multipart/form-data parts (curl -F image=@cat.jpg), or JSON {\"images\": [\"<base64>\"]}";

    /** Line breaks and spaces that base64 encoders insert (RFC 2045); anything else outside the alphabet is an error. */
    private static final java.util.regex.Pattern WHITESPACE = java.util.regex.Pattern.compile("\\s+");

    private Uploads() {}

    static List<Sample> read(Context ctx, long maxBytes, ObjectMapper json) {
        String type = ctx.contentType() == null ? "" : ctx.contentType().toLowerCase(Locale.ROOT).trim();
        long declared = ctx.req().getContentLengthLong();
        if (declared > maxBytes) {
            discard(ctx, maxBytes);
            throw tooLarge(declared, maxBytes);
        }
        if (type.startsWith("multipart/form-data")) {
            return multipart(ctx, maxBytes);
        }
        if (type.startsWith("application/json")) {
            return json(body(ctx, maxBytes), json);
        }
        if (type.isEmpty() || type.startsWith("image/") || type.startsWith("application/octet-stream")) {
            String id = ctx.queryParam("id");
            return List.of(Sample.encoded(id == null || id.isBlank() ? "image" : id, body(ctx, maxBytes)));
        }
        throw new ApiError(415, "unsupported_content_type", "Content-Type " + ctx.contentType()
                + " is not accepted: " + ACCEPTED);
    }

    private static ApiError tooLarge(long bytes, long max) {
        return new ApiError(413, "upload_too_large", String.format(Locale.ROOT,
                "the upload is %s, above this server's limit of %s (--max-upload-mb)",
                bytes < 0 ? "larger" : String.format(Locale.ROOT, "%,d bytes", bytes), String.format(Locale.ROOT, "%,d bytes", max)));
    }

    private static byte[] body(Context ctx, long maxBytes) {
        try (InputStream in = ctx.bodyInputStream()) {
            byte[] b = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
            if (b.length > maxBytes) {
                discard(ctx, maxBytes);
                throw tooLarge(-1, maxBytes);
            }
            return b;
        } catch (IOException e) {
            throw cutOff(e);
        }
    }

    /**
     * Reads and drops the rest of a body that is refused as too large, up to a few times the limit,
     * so that the 413 reaches the client: a server that answers and closes while the client is
     * still sending resets the connection, and the client sees a broken pipe instead of the
     * answer (nginx calls this a lingering close). A body far beyond the limit is not read: the
     * connection is closed on it.
     */
    private static void discard(Context ctx, long maxBytes) {
        long cap = Math.min(4 * maxBytes, 256L << 20);
        byte[] sink = new byte[64 << 10];
        try {
            InputStream in = ctx.req().getInputStream();
            long read = 0;
            int n;
            while (read < cap && (n = in.read(sink)) >= 0) {
                read += n;
            }
        } catch (IOException | RuntimeException e) {
            // the client went away or the body was already consumed: nothing left to wait for
        }
    }

    /** The client went away (or the network failed) before the whole body arrived. */
    private static ApiError cutOff(Exception e) {
        return new ApiError(400, "upload_incomplete", "the upload ended before the whole body arrived (the client"
                + " closed the connection?): " + e.getMessage());
    }

    private static List<Sample> multipart(Context ctx, long maxBytes) {
        List<UploadedFile> files;
        try {
            files = ctx.uploadedFiles();
        } catch (HttpResponseException e) {
            if (e.getStatus() == 413) {
                discard(ctx, maxBytes);
                throw tooLarge(-1, maxBytes);
            }
            throw new ApiError(e.getStatus(), "bad_multipart", e.getMessage());
        } catch (RuntimeException e) {
            // Jetty's multipart parser: "exceeds max..." for the limits, other messages for broken forms
            String m = String.valueOf(e.getMessage()) + (e.getCause() == null ? "" : " " + e.getCause().getMessage());
            if (m.toLowerCase(Locale.ROOT).contains("max")) {
                discard(ctx, maxBytes);
                throw tooLarge(-1, maxBytes);
            }
            if (rootCause(e) instanceof IOException io) {
                throw cutOff(io);
            }
            throw new ApiError(400, "bad_multipart", "the multipart form could not be read: " + m);
        }
        if (files.isEmpty()) {
            throw new ApiError(400, "no_image", "the multipart form has no file part: " + ACCEPTED);
        }
        List<Sample> out = new ArrayList<>(files.size());
        for (UploadedFile f : files) {
            try (InputStream in = f.content()) {
                String name = f.filename().isBlank() ? "image" + (out.size() + 1) : f.filename();
                out.add(Sample.encoded(name, in.readAllBytes()));
            } catch (IOException e) {
                throw cutOff(e);
            }
        }
        return out;
    }

    private static Throwable rootCause(Throwable t) {
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t;
    }

    static List<Sample> json(byte[] body, ObjectMapper json) {
        JsonNode root;
        try {
            root = json.readTree(body);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new ApiError(400, "bad_json", "the body is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new ApiError(400, "bad_json", "the body could not be read as JSON: " + e.getMessage());
        }
        JsonNode images = root == null ? null : root.get("images");
        if (images == null || !images.isArray() || images.isEmpty()) {
            throw new ApiError(400, "no_image", "JSON bodies are {\"images\": [\"<base64>\", ...]} or {\"images\":"
                    + " [{\"id\": \"cat\", \"data\": \"<base64>\"}]}; this one has no \"images\" array");
        }
        List<Sample> out = new ArrayList<>(images.size());
        for (int i = 0; i < images.size(); i++) {
            JsonNode img = images.get(i);
            String id = img.isObject() && img.hasNonNull("id") ? img.get("id").asText() : "image" + (i + 1);
            JsonNode data = img.isObject() ? img.get("data") : img;
            if (data == null || !data.isTextual()) {
                throw new ApiError(400, "no_image", "images[" + i + "] has no base64 data: give a string or {\"id\":"
                        + " ..., \"data\": \"<base64>\"}");
            }
            String b64 = data.asText();
            if (b64.startsWith("data:")) { // a data URL, as a browser's FileReader gives
                b64 = b64.substring(b64.indexOf(',') + 1);
            }
            try {
                out.add(Sample.encoded(id, Base64.getDecoder().decode(WHITESPACE.matcher(b64).replaceAll(""))));
            } catch (IllegalArgumentException e) {
                throw new ApiError(400, "bad_base64", "images[" + i + "] (" + id + ") is not valid base64: " + e.getMessage());
            }
        }
        return out;
    }
}
