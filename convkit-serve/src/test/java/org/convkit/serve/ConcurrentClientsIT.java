package org.convkit.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.convkit.data.Sample;
import org.convkit.eval.ImagePrediction;
import org.convkit.eval.TorchClassifier;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * 32 clients at once, each sending a fixed number of requests from a mixed stream: good images in
 * every form and format, and every bad input. Every request is answered (except those whose client
 * hung up on purpose), every good answer is the one the classifier gives the image alone, nothing
 * is a 5xx except the documented 503 (busy, with Retry-After), and the server is healthy after.
 */
@Tag("integration")
class ConcurrentClientsIT {
    static final int CLIENTS = 32;
    static final int PER_CLIENT = 20;
    static final long UPLOAD_LIMIT = 256 << 10;

    /** One kind of request and what it must get. */
    record Kind(String name, int status, String code) {}

    @Test
    void mixedStreamFrom32Clients() throws Exception {
        Path run = Shapes.run();
        List<byte[]> good = new ArrayList<>();
        List<String> formats = List.of("png", "jpeg", "bmp", "gif");
        for (int i = 0; i < 12; i++) {
            good.add(BadInputs.encode(BadInputs.shape(i % 3, 500 + i), formats.get(i % formats.size())));
        }
        byte[] webp = BadInputs.webp(BadInputs.shape(1, 77));
        if (webp != null) {
            good.add(webp);
        }
        Map<Integer, ImagePrediction> expected = new ConcurrentHashMap<>();
        try (TorchClassifier alone = TorchClassifier.open(run, new TorchClassifier.Options("cpu", null, 1))) {
            for (int i = 0; i < good.size(); i++) {
                expected.put(i, alone.predict(Sample.encoded("img" + i, good.get(i)), 2));
            }
        }
        ServeOptions o = ServeOptions.defaults().withPort(0).withBatching(8, 5);
        List<Kind> kinds = List.of(new Kind("raw", 200, null), new Kind("multipart", 200, null), new Kind("json", 200, null),
                new Kind("text", 415, "not_an_image"), new Kind("truncated", 400, "unreadable"),
                new Kind("empty", 400, "empty"), new Kind("oversize", 413, "upload_too_large"),
                new Kind("bomb", 413, "too_large"), new Kind("content-type", 415, "unsupported_content_type"),
                new Kind("hang-up", 0, null), new Kind("bad-json", 400, "bad_json"));
        AtomicInteger answered = new AtomicInteger();
        AtomicInteger busy = new AtomicInteger();
        AtomicInteger hungUp = new AtomicInteger();
        AtomicInteger batchedAnswers = new AtomicInteger();
        List<String> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (PredictionServer server = PredictionServer.start(o.withLimits(24, 30_000, UPLOAD_LIMIT, o.maxPixels()),
                () -> TorchClassifier.open(run, new TorchClassifier.Options("cpu", null, 8)), System.err)) {
            Http http = new Http(server.url());
            ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
            List<Future<?>> clients = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                int client = c;
                clients.add(pool.submit(() -> {
                    for (int r = 0; r < PER_CLIENT; r++) {
                        int n = client * PER_CLIENT + r;
                        Kind kind = kinds.get(n % kinds.size());
                        int img = n % good.size();
                        try {
                            Http.Reply reply = send(http, server.port(), kind, good, img);
                            if (reply == null) {
                                hungUp.incrementAndGet();
                                continue;
                            }
                            answered.incrementAndGet();
                            check(kind, reply, img, good.size(), expected, busy, batchedAnswers, failures);
                        } catch (Exception e) {
                            failures.add(kind.name() + " #" + n + ": no answer: " + e);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : clients) {
                f.get(5, TimeUnit.MINUTES);
            }
            pool.shutdown();

            assertEquals(List.of(), failures.subList(0, Math.min(20, failures.size())), failures.size() + " failures");
            assertEquals(CLIENTS * PER_CLIENT - hungUp.get(), answered.get(), "every request answered");
            System.out.printf("%d requests: %d answered (%d of them 503 busy), %d hung up on purpose; %d good answers came"
                    + " from batches of more than one%n", CLIENTS * PER_CLIENT, answered.get(), busy.get(), hungUp.get(),
                    batchedAnswers.get());
            assertTrue(batchedAnswers.get() > 0, "concurrent requests were batched");

            // healthy after: ready, nothing admitted, and a fresh request answered right
            assertEquals("ok", http.get("/health").json().get("status").asText());
            assertEquals(200, http.get("/ready").status());
            Http.Reply last = http.post("/v1/predict?top_k=2", "image/png", good.get(0));
            assertEquals(200, last.status());
            assertEquals(expected.get(0).label(), last.json().get("predictions").get(0).get("label").asText());
            String metrics = http.get("/metrics").text();
            assertTrue(metrics.contains("convkit_queue_images 0.0"), metrics);
            assertEquals(0, Metrics.value(metrics, "convkit_http_requests_total{endpoint=\"/v1/predict\",status=\"500\"}"));
        }
    }

    /** Sends one request of a kind; null for a client that hangs up mid-upload. */
    static Http.Reply send(Http http, int port, Kind kind, List<byte[]> good, int img) throws Exception {
        byte[] image = good.get(img);
        return switch (kind.name()) {
            case "raw" -> http.post("/v1/predict?top_k=2&id=img" + img, "application/octet-stream", image);
            case "multipart" -> http.postMultipart("/v1/predict?top_k=2", List.of(
                    new Http.Part("image", "img" + img, null, image),
                    new Http.Part("image", "img" + (img + 1) % good.size(), null, good.get((img + 1) % good.size()))));
            case "json" -> http.postJson("/v1/predict?top_k=2", Map.of("images",
                    List.of(Map.of("id", "img" + img, "data", Base64.getEncoder().encodeToString(image)))));
            case "text" -> http.post("/v1/predict", "image/jpeg", BadInputs.text());
            case "truncated" -> http.post("/v1/predict", "image/jpeg", BadInputs.truncatedJpeg(img));
            case "empty" -> http.post("/v1/predict", "image/png", new byte[0]);
            case "oversize" -> http.post("/v1/predict", "image/jpeg", new byte[(int) UPLOAD_LIMIT + 1]);
            case "bomb" -> http.post("/v1/predict", "image/png", BadInputs.pngBomb());
            case "content-type" -> http.post("/v1/predict", "text/plain", image);
            case "bad-json" -> http.post("/v1/predict", "application/json", "{\"images\": [\"".getBytes(StandardCharsets.US_ASCII));
            case "hang-up" -> {
                hangUp(port);
                yield null;
            }
            default -> throw new IllegalArgumentException(kind.name());
        };
    }

    static void hangUp(int port) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            OutputStream out = s.getOutputStream();
            out.write(("POST /v1/predict HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: image/png\r\nContent-Length: 50000\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(new byte[700]);
            out.flush();
        }
    }

    static void check(Kind kind, Http.Reply reply, int img, int goods, Map<Integer, ImagePrediction> expected,
            AtomicInteger busy, AtomicInteger batched, List<String> failures) {
        if (reply.status() == 503) {
            JsonNode e = reply.json().get("error");
            if (!"busy".equals(e.get("code").asText()) || !"1".equals(reply.retryAfter())) {
                failures.add(kind.name() + ": a 503 without code busy and Retry-After: " + reply.text());
            }
            busy.incrementAndGet();
            return;
        }
        if (reply.status() != kind.status()) {
            failures.add(kind.name() + ": status " + reply.status() + " (expected " + kind.status() + "): " + reply.text());
            return;
        }
        JsonNode body = reply.json();
        if (kind.code() != null) {
            String code = body.get("error").get("code").asText();
            if (!code.equals(kind.code())) {
                failures.add(kind.name() + ": code " + code + " (expected " + kind.code() + ")");
            }
            return;
        }
        JsonNode preds = body.get("predictions");
        for (int i = 0; i < preds.size(); i++) {
            JsonNode p = preds.get(i);
            ImagePrediction want = expected.get((img + i) % goods);
            if (!want.label().equals(p.get("label").asText())
                    || Math.abs(want.probability() - p.get("probability").asDouble()) > 1e-5
                    || Math.abs(want.top().get(0).get(1).probability() - p.get("top").get(1).get("probability").asDouble()) > 1e-5) {
                failures.add(kind.name() + ": img" + (img + i) % goods + " answered " + p + ", alone it is " + want);
            }
            if (p.get("batch_size").asInt() > 1) {
                batched.incrementAndGet();
            }
        }
    }
}
