package org.convkit.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.convkit.data.Sample;
import org.convkit.eval.EvalFixtures;
import org.convkit.eval.ImagePrediction;
import org.convkit.eval.TorchClassifier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real server on a free port, called with the JDK's HTTP client: every endpoint and every form of upload. */
class ServerApiTest {
    static Served served;
    static PredictionServer server;
    static TorchClassifier reference;
    static Http http;

    @BeforeAll
    static void start() {
        served = Served.start(ServeOptions.defaults().withBatching(8, 5));
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

    /** The answer {@code convkit predict} gives for one image: the classifier alone, batch of 1. */
    static ImagePrediction alone(String id, byte[] bytes, int k) {
        return reference.predict(Sample.encoded(id, bytes), k);
    }

    static void assertSame(ImagePrediction expected, JsonNode p) {
        assertEquals(expected.id(), p.get("id").asText());
        assertEquals(expected.label(), p.get("label").asText(), "label of " + expected.id());
        assertEquals(expected.probability(), p.get("probability").asDouble(), 1e-5, expected.id());
        JsonNode top = p.get("top");
        assertEquals(expected.top().get(0).size(), top.size());
        for (int i = 0; i < top.size(); i++) {
            assertEquals(expected.top().get(0).get(i).label(), top.get(i).get("label").asText());
            assertEquals(expected.top().get(0).get(i).probability(), top.get(i).get("probability").asDouble(), 1e-5);
        }
    }

    @Test
    void healthReadyModelAndPage() throws Exception {
        assertEquals("ok", http.get("/health").json().get("status").asText());
        assertEquals(200, http.get("/ready").status());
        Http.Reply m = http.get("/v1/model");
        assertEquals(200, m.status());
        JsonNode card = m.json();
        assertEquals("shapes", card.get("name").asText());
        assertEquals("simplecnn", card.get("architecture").asText());
        assertEquals(List.of("circle", "square", "stripes"), List.of(card.get("classes").get(0).asText(),
                card.get("classes").get(1).asText(), card.get("classes").get(2).asText()));
        assertEquals(3, card.get("input").get("channels").asInt());
        assertEquals(32, card.get("input").get("height").asInt());
        assertEquals(reference.card().parameters(), card.get("parameters").asLong());
        assertEquals(reference.card().weightsSha256(), card.get("weights_sha256").asText());
        assertEquals(64, card.get("weights_sha256").asText().length());
        assertEquals(8, card.get("server").get("max_batch").asInt());
        assertTrue(card.get("engine").asText().startsWith("libtorch"), card.toString());

        Http.Reply page = http.get("/");
        assertEquals(200, page.status());
        assertTrue(page.contentType().startsWith("text/html"), page.contentType());
        assertTrue(page.text().contains("<label for=\"files\""), "the file input has a label");
        for (String asset : List.of("/", "/page.js", "/page.css")) {
            String text = http.get(asset).text();
            assertFalse(text.matches("(?s).*(src|href)=\"https?://.*"), asset + " loads nothing from elsewhere");
            assertFalse(text.contains("@import") || text.contains("fonts.googleapis"), asset);
        }
        Http.Reply missing = http.get("/v1/nothing");
        assertEquals(404, missing.status());
        assertTrue(missing.json().get("error").get("message").asText().contains("POST /v1/predict"), missing.text());
    }

    @Test
    void rawMultipartAndJsonBodiesAnswerAsPredictDoes(@TempDir Path tmp) throws Exception {
        List<Path> files = Shapes.images(tmp, 6, 11);
        byte[] first = Files.readAllBytes(files.get(0));

        Http.Reply raw = http.post("/v1/predict?id=" + files.get(0).getFileName(), "image/png", first);
        assertEquals(200, raw.status(), raw.text());
        assertTrue(raw.contentType().startsWith("application/json"), raw.contentType());
        JsonNode r = raw.json();
        assertEquals("shapes", r.get("model").get("name").asText());
        assertTrue(r.get("model").get("version").asText().startsWith("sha256:" + reference.card().weightsSha256().substring(0, 12)));
        assertSame(alone(files.get(0).getFileName().toString(), first, 3), r.get("predictions").get(0));
        assertEquals(3, r.get("predictions").get(0).get("top").size(), "default top_k 5, capped at the 3 classes");

        List<Http.Part> parts = new ArrayList<>();
        for (Path f : files) {
            parts.add(new Http.Part("image", f.getFileName().toString(), null, Files.readAllBytes(f)));
        }
        Http.Reply multi = http.postMultipart("/v1/predict?top_k=2", parts);
        assertEquals(200, multi.status(), multi.text());
        JsonNode preds = multi.json().get("predictions");
        assertEquals(files.size(), preds.size());
        for (int i = 0; i < files.size(); i++) {
            assertSame(alone(files.get(i).getFileName().toString(), Files.readAllBytes(files.get(i)), 2), preds.get(i));
        }
        assertTrue(preds.get(0).get("batch_size").asInt() >= 1);

        List<Object> images = new ArrayList<>();
        images.add(Map.of("id", "b64-a", "data", Base64.getEncoder().encodeToString(Files.readAllBytes(files.get(1)))));
        images.add("data:image/jpeg;base64," + Base64.getMimeEncoder().encodeToString(Files.readAllBytes(files.get(3))));
        Http.Reply json = http.postJson("/v1/predict?top_k=1", Map.of("images", images));
        assertEquals(200, json.status(), json.text());
        JsonNode jp = json.json().get("predictions");
        assertSame(alone("b64-a", Files.readAllBytes(files.get(1)), 1), jp.get(0));
        assertSame(alone("image2", Files.readAllBytes(files.get(3)), 1), jp.get(1));

        assertEquals(400, http.post("/v1/predict?top_k=abc", "image/png", first).status());
        assertEquals(400, http.post("/v1/predict?top_k=0", "image/png", first).status());
    }

    @Test
    void multiHeadModelsAnswerPerPositionAndTheJoinedSequence(@TempDir Path tmp) throws Exception {
        // a 2-digit sequence model: per position one of 0, 1, 2 or blank
        Path ckpt = EvalFixtures.lenetCheckpoint(tmp.resolve("digits"), List.of("0", "1", "2", "blank"), 2, Map.of());
        byte[] img = Files.readAllBytes(Shapes.images(tmp, 1, 3).get(0));
        try (TorchClassifier alone = TorchClassifier.open(ckpt, TorchClassifier.Options.defaults());
                PredictionServer digits = PredictionServer.start(ServeOptions.defaults().withPort(0),
                        () -> TorchClassifier.open(ckpt, TorchClassifier.Options.defaults()), System.err)) {
            ImagePrediction want = alone.predict(Sample.encoded("image", img), 2);
            Http.Reply r = new Http(digits.url()).post("/v1/predict?top_k=2", "image/png", img);
            assertEquals(200, r.status(), r.text());
            JsonNode p = r.json().get("predictions").get(0);
            assertEquals(want.label(), p.get("label").asText(), "the joined sequence, blanks left out");
            assertEquals(want.probability(), p.get("probability").asDouble(), 1e-5, "the product over positions");
            assertNull(p.get("top"));
            assertEquals(2, p.get("heads").size(), "one top-k per position");
            for (int h = 0; h < 2; h++) {
                for (int j = 0; j < 2; j++) {
                    assertEquals(want.top().get(h).get(j).label(), p.get("heads").get(h).get(j).get("label").asText());
                    assertEquals(want.top().get(h).get(j).probability(), p.get("heads").get(h).get(j).get("probability").asDouble(), 1e-5);
                }
            }
            assertEquals(2, new Http(digits.url()).get("/v1/model").json().get("heads").asInt());
        }
    }

    @Test
    void healthAnswersWhileTheModelLoadsAndReadyOnlyOnceWarm() throws Exception {
        int port;
        try (java.net.ServerSocket free = new java.net.ServerSocket(0)) {
            port = free.getLocalPort();
        }
        java.util.concurrent.CountDownLatch loading = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CompletableFuture<PredictionServer> started = java.util.concurrent.CompletableFuture.supplyAsync(() ->
                PredictionServer.start(ServeOptions.defaults().withPort(port), () -> {
                    loading.countDown();
                    release.await();
                    return TorchClassifier.open(Shapes.run(), TorchClassifier.Options.defaults());
                }, System.err));
        try {
            loading.await();
            Http h = new Http("http://127.0.0.1:" + port);
            assertEquals("ok", h.get("/health").json().get("status").asText());
            Http.Reply ready = h.get("/ready");
            assertEquals(503, ready.status());
            assertEquals("loading", ready.json().get("status").asText());
            assertEquals("1", ready.retryAfter());
            Http.Reply early = h.post("/v1/predict", "image/png", BadInputs.encode(BadInputs.shape(0, 1), "png"));
            assertEquals(503, early.status());
            assertEquals("loading", early.json().get("error").get("code").asText());
            assertTrue(h.get("/metrics").text().contains("convkit_ready 0.0"));
        } finally {
            release.countDown();
        }
        try (PredictionServer s = started.get()) {
            assertEquals(200, new Http(s.url()).get("/ready").status());
        }
    }

    @Test
    void metricsInPrometheusTextFormat(@TempDir Path tmp) throws Exception {
        byte[] img = Files.readAllBytes(Shapes.images(tmp, 1, 5).get(0));
        assertEquals(200, http.post("/v1/predict", "image/jpeg", img).status());
        assertEquals(415, http.post("/v1/predict", "application/octet-stream", "not an image".getBytes()).status());
        Http.Reply m = http.get("/metrics");
        assertEquals(200, m.status());
        assertTrue(m.contentType().startsWith("text/plain"), m.contentType());
        String text = m.text();
        for (String line : List.of("# TYPE convkit_http_requests_total counter",
                "convkit_http_requests_total{endpoint=\"/v1/predict\",status=\"200\"}",
                "convkit_http_requests_total{endpoint=\"/v1/predict\",status=\"415\"}",
                "# TYPE convkit_http_request_duration_seconds histogram",
                "convkit_images_total{outcome=\"ok\"}", "convkit_images_total{outcome=\"not_an_image\"}",
                "# TYPE convkit_batch_size histogram", "convkit_batch_size_bucket{le=\"8.0\"}",
                "convkit_forward_pass_duration_seconds_count", "convkit_queue_images 0.0",
                "convkit_images_per_second", "convkit_ready 1.0")) {
            assertTrue(text.contains(line), "metrics show " + line + ":\n" + text);
        }
        assertNotNull(server.url());
    }
}
