package org.convkit.serve;

import org.convkit.core.ConvkitException;
import org.convkit.data.image.Decoder;

/**
 * How a {@link PredictionServer} listens, batches and protects itself. Every value is one flag of
 * {@code convkit serve}; the messages name the flag.
 *
 * @param host the address to bind: 127.0.0.1 by default (this machine only); 0.0.0.0 exposes the
 *     server to the network, which should be done behind a reverse proxy with TLS and
 *     authentication (docs/serve.md)
 * @param port the TCP port; 0 picks a free one (tests)
 * @param maxBatch images per forward pass at most ({@code --max-batch}); 1 turns batching off
 * @param maxWaitMs how long the first image of a batch waits for others to join it
 * @param queueImages images admitted and not yet answered (decoding, waiting, in a pass); a request
 *     that does not fit is answered 503 with Retry-After at once instead of growing a backlog
 * @param timeoutMs how long one request may take from admission to answer; then 503
 * @param maxUploadBytes largest request body (one image, a multipart form, a JSON document); 413 above
 * @param maxPixels largest image (width x height), checked from the header before decoding, so a
 *     decompression bomb costs nothing; 413 above
 * @param topK classes listed per image when the request does not say ({@code ?top_k=})
 * @param drainMs how long a stopping server waits for requests in flight before it closes anyway
 * @param decoders images decoded at once (on the requests' own threads); more requests than cores
 *     decoding at the same time would only take turns on the cores the forward pass needs
 */
public record ServeOptions(
        String host,
        int port,
        int maxBatch,
        int maxWaitMs,
        int queueImages,
        int timeoutMs,
        long maxUploadBytes,
        long maxPixels,
        int topK,
        int drainMs,
        int decoders) {

    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 8080;
    public static final int DEFAULT_MAX_BATCH = 32;
    public static final int DEFAULT_MAX_WAIT_MS = 5;
    public static final int DEFAULT_QUEUE = 256;
    public static final int DEFAULT_TIMEOUT_MS = 30_000;
    public static final int DEFAULT_MAX_UPLOAD_MB = 20;
    public static final int DEFAULT_TOP_K = 5;
    public static final int DEFAULT_DRAIN_MS = 30_000;

    public ServeOptions {
        require(host != null && !host.isBlank(), "--host must name an address, e.g. 127.0.0.1");
        require(port >= 0 && port <= 65535, "--port must be 0..65535, not " + port);
        require(maxBatch >= 1, "--max-batch must be at least 1 (1 = no batching), not " + maxBatch);
        require(maxWaitMs >= 0, "--max-wait-ms must be 0 or more, not " + maxWaitMs);
        require(queueImages >= maxBatch, "--queue (" + queueImages + ") must hold at least one full batch (--max-batch "
                + maxBatch + ")");
        require(timeoutMs >= 1, "--timeout-ms must be positive, not " + timeoutMs);
        require(maxUploadBytes >= 1, "--max-upload-mb must be positive");
        require(maxPixels >= 1, "--max-pixels must be positive, not " + maxPixels);
        require(topK >= 1, "top_k must be at least 1, not " + topK);
        require(drainMs >= 0, "the drain time must be 0 or more, not " + drainMs);
        require(decoders >= 1, "--workers must be at least 1, not " + decoders);
    }

    /** The defaults of {@code convkit serve}: 127.0.0.1:8080, batches of 32 gathered for 5 ms. */
    public static ServeOptions defaults() {
        return new ServeOptions(DEFAULT_HOST, DEFAULT_PORT, DEFAULT_MAX_BATCH, DEFAULT_MAX_WAIT_MS, DEFAULT_QUEUE,
                DEFAULT_TIMEOUT_MS, (long) DEFAULT_MAX_UPLOAD_MB << 20, Decoder.DEFAULT_MAX_PIXELS, DEFAULT_TOP_K,
                DEFAULT_DRAIN_MS, java.lang.Runtime.getRuntime().availableProcessors());
    }

    public ServeOptions withPort(int p) {
        return new ServeOptions(host, p, maxBatch, maxWaitMs, queueImages, timeoutMs, maxUploadBytes, maxPixels, topK, drainMs, decoders);
    }

    public ServeOptions withBatching(int batch, int waitMs) {
        return new ServeOptions(host, port, batch, waitMs, Math.max(queueImages, batch), timeoutMs, maxUploadBytes,
                maxPixels, topK, drainMs, decoders);
    }

    public ServeOptions withLimits(int queue, int timeout, long uploadBytes, long pixels) {
        return new ServeOptions(host, port, maxBatch, maxWaitMs, queue, timeout, uploadBytes, pixels, topK, drainMs, decoders);
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new ConvkitException(message);
        }
    }
}
