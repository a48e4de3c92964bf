package org.convkit.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.convkit.data.Sample;
import org.convkit.data.image.Decoder;
import org.convkit.eval.Classifier;
import org.convkit.eval.ImagePrediction;
import org.convkit.eval.ModelCard;
import org.convkit.eval.Preprocessor;
import org.convkit.eval.TorchClassifier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Every kind of bad request gets a JSON error naming the problem, and the server goes on answering the others. */
class BadInputTest {
    static final long UPLOAD_LIMIT = 1 << 20;
    static Served served;
    static PredictionServer server;
    static TorchClassifier reference;
    static Http http;

    @BeforeAll
    static void start() {
        ServeOptions o = ServeOptions.defaults().withBatching(4, 2);
        served = Served.start(o.withLimits(o.queueImages(), o.timeoutMs(), UPLOAD_LIMIT, o.maxPixels()));
        server = served.server();
        reference = served.reference();
        http = served.http();
    }

    @AfterAll
    static void stop() {
        if (served != null) {
            served.close();
        }
    }

    /** Asserts the JSON error: its status, its code, and words of its message. */
    static JsonNode assertError(Http.Reply r, int status, String code, String... words) {
        assertEquals(status, r.status(), r.text());
        assertTrue(r.contentType().startsWith("application/json"), r.contentType());
        JsonNode e = r.json().get("error");
        assertNotNull(e, r.text());
        assertEquals(status, e.get("status").asInt());
        assertEquals(code, e.get("code").asText(), r.text());
        for (String w : words) {
            assertTrue(e.get("message").asText().contains(w), "'" + w + "' in " + e.get("message"));
        }
        return e;
    }

    @Test
    void everyFormatTheDecoderReadsIsAnswered() throws Exception {
        List<String> formats = new ArrayList<>(List.of("png", "jpeg", "bmp", "gif"));
        for (int i = 0; i < formats.size(); i++) {
            byte[] img = BadInputs.encode(BadInputs.shape(i % 3, i), formats.get(i));
            Http.Reply r = http.post("/v1/predict", "image/" + formats.get(i), img);
            assertEquals(200, r.status(), formats.get(i) + ": " + r.text());
            assertEquals(reference.predict(Sample.encoded("image", img), 1).label(),
                    r.json().get("predictions").get(0).get("label").asText(), formats.get(i));
        }
        byte[] webp = BadInputs.webp(BadInputs.shape(2, 7));
        if (webp == null) {
            System.out.println("WebP: OpenCV's encoder is not available here; not checked");
        } else {
            Http.Reply r = http.post("/v1/predict", "image/webp", webp);
            assertEquals(200, r.status(), "webp: " + r.text());
            assertEquals(reference.predict(Sample.encoded("image", webp), 1).label(),
                    r.json().get("predictions").get(0).get("label").asText());
        }
    }

    @Test
    void badImagesAreNamed() throws Exception {
        assertError(http.post("/v1/predict", "application/octet-stream", BadInputs.text()), 415, "not_an_image", "not an image");
        assertError(http.post("/v1/predict", "image/jpeg", BadInputs.truncatedJpeg(3)), 400, "unreadable", "truncated");
        assertError(http.post("/v1/predict", "image/png", new byte[0]), 400, "empty", "empty");
        long jvmLimit = Decoder.maxPixels();
        assertError(http.post("/v1/predict", "image/png", BadInputs.pngBomb()), 413, "too_large", "50000x50000",
                "decompression", "--max-pixels");
        assertEquals(jvmLimit, Decoder.maxPixels(), "the server's limit is its own");

        // several images: the good ones answered, the bad ones named, in order
        byte[] good = BadInputs.encode(BadInputs.shape(0, 1), "png");
        Http.Reply mixed = http.postMultipart("/v1/predict", List.of(new Http.Part("a", "good.png", "image/png", good),
                new Http.Part("b", "notes.txt", "text/plain", BadInputs.text()),
                new Http.Part("c", "bomb.png", "image/png", BadInputs.pngBomb())));
        assertEquals(200, mixed.status(), mixed.text());
        JsonNode p = mixed.json().get("predictions");
        assertEquals(reference.predict(Sample.encoded("good.png", good), 1).label(), p.get(0).get("label").asText());
        assertNull(p.get(0).get("error"));
        assertEquals("not_an_image", p.get(1).get("error").get("code").asText());
        assertEquals("notes.txt", p.get(1).get("id").asText());
        assertEquals(413, p.get(2).get("error").get("status").asInt());
        assertNull(mixed.json().get("error"), "the request as a whole succeeded");
    }

    @Test
    void badRequestsAreNamed() throws Exception {
        // refused while the client is still sending, the 413 must still reach it (not a reset
        // connection): again and again, since that is a race
        byte[] big = new byte[(int) (3 * UPLOAD_LIMIT)];
        for (int i = 0; i < 20; i++) {
            assertError(http.post("/v1/predict", "image/jpeg", big), 413, "upload_too_large", "--max-upload-mb");
            assertError(http.postMultipart("/v1/predict", List.of(new Http.Part("f", "big.jpg", "image/jpeg", big))), 413,
                    "upload_too_large");
        }
        assertError(http.post("/v1/predict", "text/plain", "hello".getBytes()), 415, "unsupported_content_type",
                "text/plain", "multipart/form-data");
        assertError(http.post("/v1/predict", "application/xml", "<a/>".getBytes()), 415, "unsupported_content_type");
        assertError(http.post("/v1/predict", "application/json", "{\"images\": [".getBytes()), 400, "bad_json");
        assertError(http.postJson("/v1/predict", Map.of("pictures", List.of())), 400, "no_image", "\"images\"");
        assertError(http.postJson("/v1/predict", Map.of("images", List.of("%%% not base64 %%%"))), 400, "bad_base64",
                "images[0]");
        assertError(http.postJson("/v1/predict", Map.of("images", List.of(Map.of("id", "x")))), 400, "no_image", "images[0]");
        assertError(http.postMultipart("/v1/predict", List.of(new Http.Part("field", null, null, "just text".getBytes()))),
                400, "no_image", "file part");
        assertError(http.get("/v1/predict"), 405, "method_not_allowed");
        assertError(http.post("/v1/predict?top_k=-1", "image/png", BadInputs.encode(BadInputs.shape(0, 1), "png")), 400,
                "bad_top_k");
        assertEquals(200, http.get("/ready").status(), "still ready");
    }

    @Test
    void aClientThatHangsUpMidUploadHarmsNoOne() throws Exception {
        double cutBefore = Metrics.value(http.get("/metrics").text(), "convkit_http_requests_total{endpoint=\"/v1/predict\",status=\"400\"}");
        for (int i = 0; i < 3; i++) {
            try (Socket s = new Socket("127.0.0.1", server.port())) {
                OutputStream out = s.getOutputStream();
                out.write(("POST /v1/predict HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: image/png\r\n"
                        + "Content-Length: 100000\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(new byte[1000]);
                out.flush();
            } // closed with 99,000 bytes missing
        }
        byte[] good = BadInputs.encode(BadInputs.shape(1, 4), "png");
        Http.Reply r = http.post("/v1/predict", "image/png", good);
        assertEquals(200, r.status(), r.text());
        assertEquals(reference.predict(Sample.encoded("image", good), 1).label(),
                r.json().get("predictions").get(0).get("label").asText());
        String metrics = http.get("/metrics").text();
        for (long end = System.nanoTime() + 10_000_000_000L; System.nanoTime() < end
                && Metrics.value(metrics, "convkit_http_requests_total{endpoint=\"/v1/predict\",status=\"400\"}") < cutBefore + 3; ) {
            Thread.sleep(50);
            metrics = http.get("/metrics").text();
        }
        assertEquals(cutBefore + 3, Metrics.value(metrics, "convkit_http_requests_total{endpoint=\"/v1/predict\",status=\"400\"}"),
                "each cut-off upload was seen and answered (400, upload_incomplete) on its own thread");
        assertTrue(metrics.contains("convkit_queue_images 0.0"), "no image left admitted");
    }

    @Test
    void whatJettyRefusesItselfIsJsonToo() throws Exception {
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.getOutputStream().write("THIS IS NOT HTTP\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            String reply = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(reply.startsWith("HTTP/1.1 400"), reply);
            assertTrue(reply.contains("Content-Type: application/json"), reply);
            assertTrue(reply.contains("{\"error\":{\"status\":400,\"code\":\"http_400\""), reply);
        }
    }

    @Test
    void aServersPixelLimitIsItsOwn() throws Exception {
        ServeOptions o = ServeOptions.defaults().withPort(0).withBatching(1, 0);
        byte[] png = BadInputs.encode(new java.awt.image.BufferedImage(40, 40, java.awt.image.BufferedImage.TYPE_INT_RGB), "png");
        try (PredictionServer small = PredictionServer.start(o.withLimits(8, 10_000, UPLOAD_LIMIT, 1000),
                () -> TorchClassifier.open(Shapes.run(), TorchClassifier.Options.defaults()), System.err)) {
            assertError(new Http(small.url()).post("/v1/predict", "image/png", png), 413, "too_large",
                    "40x40 = 1,600 pixels, above the limit of 1,000", "--max-pixels");
            assertEquals(200, http.post("/v1/predict", "image/png", png).status(), "the other server's limit is the default");
        }
    }

    /** A real classifier whose passes take {@code sleepMs} longer: an overloaded server, made on purpose. */
    record Slow(Classifier inner, long sleepMs) implements Classifier {
        @Override
        public ModelCard card() {
            return inner.card();
        }

        @Override
        public String engine() {
            return inner.engine();
        }

        @Override
        public int maxBatch() {
            return inner.maxBatch();
        }

        @Override
        public Preprocessor preprocessor() {
            return inner.preprocessor();
        }

        @Override
        public float[][] logits(float[] pixels, int n) {
            try {
                Thread.sleep(sleepMs);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return inner.logits(pixels, n);
        }

        @Override
        public void close() {
            inner.close();
        }
    }

    @Test
    void aFullQueueAndASlowAnswerAre503WithRetryAfter() throws Exception {
        byte[] png = BadInputs.encode(BadInputs.shape(0, 9), "png");
        ServeOptions o = ServeOptions.defaults().withPort(0).withBatching(1, 0);
        try (PredictionServer slow = PredictionServer.start(o.withLimits(2, 30_000, UPLOAD_LIMIT, o.maxPixels()),
                () -> new Slow(TorchClassifier.open(Shapes.run(), TorchClassifier.Options.defaults()), 300), System.err)) {
            Http h = new Http(slow.url());
            ExecutorService pool = Executors.newFixedThreadPool(6);
            List<Future<Http.Reply>> replies = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                replies.add(pool.submit(() -> h.post("/v1/predict", "image/png", png)));
            }
            int ok = 0;
            int busy = 0;
            for (Future<Http.Reply> f : replies) {
                Http.Reply r = f.get();
                if (r.status() == 200) {
                    ok++;
                } else {
                    assertError(r, 503, "busy", "--queue 2");
                    assertEquals("1", r.retryAfter(), "503 says when to retry");
                    busy++;
                }
            }
            pool.shutdown();
            assertTrue(ok >= 2 && busy >= 1, ok + " answered, " + busy + " refused");
            assertTrue(h.get("/metrics").text().contains("convkit_http_requests_total{endpoint=\"/v1/predict\",status=\"503\"} " + busy + ".0"));
        }
        try (PredictionServer late = PredictionServer.start(o.withLimits(8, 100, UPLOAD_LIMIT, o.maxPixels()),
                () -> new Slow(TorchClassifier.open(Shapes.run(), TorchClassifier.Options.defaults()), 400), System.err)) {
            Http.Reply r = new Http(late.url()).post("/v1/predict", "image/png", png);
            assertError(r, 503, "busy", "no answer within 100 ms", "--timeout-ms");
            assertEquals("1", r.retryAfter());
        }
    }

    @Test
    void oneImageAloneOrInABatchGetsTheSameAnswer() throws Exception {
        // the same images through the classifier alone (batch of 1) and in one pass of 16
        List<Sample> images = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            images.add(Sample.encoded("img" + i, BadInputs.encode(BadInputs.shape(i % 3, 100 + i), i % 2 == 0 ? "png" : "jpeg")));
        }
        try (TorchClassifier batched = TorchClassifier.open(Shapes.run(), new TorchClassifier.Options("cpu", null, 16))) {
            List<ImagePrediction> together = batched.predict(images, 3);
            for (int i = 0; i < images.size(); i++) {
                ImagePrediction alone = reference.predict(images.get(i), 3);
                assertEquals(alone.label(), together.get(i).label());
                for (int j = 0; j < 3; j++) {
                    assertEquals(alone.top().get(0).get(j).probability(), together.get(i).top().get(0).get(j).probability(), 1e-5);
                }
            }
        }
    }
}
