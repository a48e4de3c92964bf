package org.convkit.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code convkit serve} as a user runs it, in a process of its own: train a small model, predict a
 * folder with {@code convkit predict}, serve the same checkpoint and check that the server's
 * answers, one image at a time and many in one request, are predict's; then SIGTERM it while eight
 * clients keep it busy: every request it had accepted is answered, and it exits 0. Predict and
 * that server run libtorch ({@code --engine torch}). Last, the same checkpoint served with no
 * {@code --engine} (auto: ONNX Runtime where it passed its self-check here, exported in memory)
 * answers the same, and {@code /v1/model} names the engine that runs.
 */
@Tag("integration")
class ServeCommandIT {
    static final ObjectMapper JSON = org.convkit.core.Json.mapper();
    static final Pattern SERVING = Pattern.compile("serving \\S+ .* on (http://\\S+)");

    /** One request of the load, as the client saw it. */
    record Call(long start, long end, int status, String label, String expected, Exception failure) {}

    @Test
    void answersAsPredictDoesAndStopsGracefullyUnderLoad(@TempDir Path tmp) throws Exception {
        Path data = Cli.imageFolder(tmp.resolve("shapes"), 4, 24, 16, 1);
        InProcess.Result trained = InProcess.convkit(tmp.resolve("runs"), "train", "--data", data.toString(), "--model",
                "simplecnn", "--arch", "8,16", "--fc", "", "--epochs", "3", "--batch-size", "16", "--run", "served");
        assertEquals(0, trained.exit(), trained.out());
        Path run = tmp.resolve("runs/served");
        Path inputs = Files.createDirectories(tmp.resolve("inputs"));
        try (Stream<Path> files = Files.walk(data.resolve("test"))) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                Files.copy(f, inputs.resolve(f.getParent().getFileName() + "-" + f.getFileName()));
            }
        }
        Path csv = tmp.resolve("predictions.csv");
        InProcess.Result predicted = InProcess.convkit(null, "predict", "--engine", "torch", "--checkpoint", run.toString(), "--input",
                inputs.toString(), "--format", "probs", "--out", csv.toString());
        assertEquals(0, predicted.exit(), predicted.out());
        Map<String, double[]> probs = new HashMap<>();
        Map<String, String> labels = new HashMap<>();
        List<String> lines = Files.readAllLines(csv);
        String[] header = lines.get(0).split(",");
        for (String line : lines.subList(1, lines.size())) {
            String[] c = line.split(",");
            labels.put(c[0], c[1]);
            double[] p = new double[header.length - 3];
            for (int i = 0; i < p.length; i++) {
                p[i] = Double.parseDouble(c[3 + i]);
            }
            probs.put(c[0], p);
        }
        List<String> classes = List.of(header).subList(3, header.length);
        List<Path> images;
        try (Stream<Path> s = Files.list(inputs)) {
            images = s.sorted().toList();
        }
        assertEquals(images.size(), probs.size());

        Path log = tmp.resolve("serve.log");
        // a long batching wait: under load, every client always has a request in flight
        Process server = Cli.start(log, "serve", "--engine", "torch", "--checkpoint", run.toString(), "--port", "0",
                "--max-wait-ms", "300");
        try {
            String url = awaitServing(server, log);
            HttpClient http = HttpClient.newHttpClient();

            // one image per request, and all of them in one multipart request: predict's answers
            for (Path img : images) {
                JsonNode p = post(http, url + "v1/predict?top_k=9&id=" + id(img), Files.readAllBytes(img)).get(0);
                assertSameAsPredict(id(img), p, labels, probs, classes);
            }
            String boundary = "b" + UUID.randomUUID();
            HttpResponse<String> multi = http.send(HttpRequest.newBuilder(URI.create(url + "v1/predict?top_k=9"))
                    .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                    .POST(HttpRequest.BodyPublishers.ofByteArray(multipart(boundary, images))).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, multi.statusCode(), multi.body());
            JsonNode all = JSON.readTree(multi.body()).get("predictions");
            int batched = 0;
            for (int i = 0; i < images.size(); i++) {
                assertSameAsPredict(id(images.get(i)), all.get(i), labels, probs, classes);
                batched += all.get(i).get("batch_size").asInt() > 1 ? 1 : 0;
            }
            assertTrue(batched > images.size() / 2, "a request's images share forward passes: " + batched);

            // SIGTERM while 8 clients keep sending
            ExecutorService pool = Executors.newFixedThreadPool(8);
            long[] signal = {Long.MAX_VALUE};
            List<Future<List<Call>>> clients = new ArrayList<>();
            for (int c = 0; c < 8; c++) {
                int client = c;
                clients.add(pool.submit(() -> load(url, images, labels, client, signal)));
            }
            Thread.sleep(2500);
            // signal while a request the server surely has (sent 150 ms ago) awaits its answer: right
            // after a batch is answered every client may be between requests, and a loaded machine
            // can take that long to connect again
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (System.nanoTime() < deadline && !aRequestIsOlderThan(TimeUnit.MILLISECONDS.toNanos(150))) {
                Thread.sleep(1);
            }
            synchronized (signal) {
                signal[0] = System.nanoTime();
            }
            server.destroy(); // SIGTERM
            assertTrue(server.waitFor(60, TimeUnit.SECONDS), "the server stops within the drain time");
            assertEquals(0, server.exitValue(), Cli.read(log));
            List<Call> calls = new ArrayList<>();
            for (Future<List<Call>> f : clients) {
                calls.addAll(f.get(60, TimeUnit.SECONDS));
            }
            pool.shutdown();

            long accepted = signal[0] - TimeUnit.MILLISECONDS.toNanos(100);
            int inFlight = 0;
            for (Call call : calls) {
                if (call.start() < accepted) {
                    // sent well before the signal: the server had it, so it must answer it, and right
                    assertEquals(200, call.status(), "a request accepted before SIGTERM: " + call);
                    assertEquals(call.expected(), call.label(), call.toString());
                    inFlight += call.end() > signal[0] ? 1 : 0;
                } else if (call.failure() == null) {
                    assertTrue(call.status() == 200 || call.status() == 503, "after SIGTERM: answered or 503: " + call);
                    if (call.status() == 200) {
                        assertEquals(call.expected(), call.label(), call.toString());
                    }
                }
            }
            System.out.printf("SIGTERM under load: %d requests, %d in flight at the signal and answered%n", calls.size(), inFlight);
            assertTrue(inFlight >= 1, "requests were in flight when the signal came: " + calls);
            assertTrue(Cli.read(log).contains("stopped"), Cli.read(log));
        } finally {
            server.destroyForcibly();
        }

        // the same checkpoint with the default engine (ONNX Runtime here where it passed its check, exported in memory)
        Path onnxLog = tmp.resolve("serve-onnx.log");
        Process onnx = Cli.start(onnxLog, "serve", "--checkpoint", run.toString(), "--port", "0");
        try {
            String url = awaitServing(onnx, onnxLog);
            HttpClient http = HttpClient.newHttpClient();
            org.convkit.onnx.OnnxCheck.Verdict here = org.convkit.onnx.OnnxCheck.verdict();
            String engine = JSON.readTree(http.send(HttpRequest.newBuilder(URI.create(url + "v1/model")).build(),
                    HttpResponse.BodyHandlers.ofString()).body()).get("engine").asText();
            assertTrue(engine.startsWith(here.result() != null && here.result().passed() ? "ONNX Runtime" : "libtorch"),
                    engine + "; ONNX Runtime's check here: " + here.summary());
            assertTrue(Cli.read(onnxLog).contains("engine: auto -> " + engine), Cli.read(onnxLog));
            for (Path img : images) {
                assertSameAsPredict(id(img), post(http, url + "v1/predict?top_k=9&id=" + id(img), Files.readAllBytes(img)).get(0),
                        labels, probs, classes);
            }
            onnx.destroy();
            assertTrue(onnx.waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, onnx.exitValue(), Cli.read(onnxLog));
        } finally {
            onnx.destroyForcibly();
        }
    }

    /** When each load client's unanswered request was sent (0: none). */
    private static final java.util.concurrent.atomic.AtomicLongArray SENT = new java.util.concurrent.atomic.AtomicLongArray(8);

    private static boolean aRequestIsOlderThan(long nanos) {
        long now = System.nanoTime();
        for (int c = 0; c < SENT.length(); c++) {
            long t = SENT.get(c);
            if (t != 0 && now - t > nanos) {
                return true;
            }
        }
        return false;
    }

    /** One client: requests until the server stops answering (a 503, a refused or closed connection). */
    static List<Call> load(String url, List<Path> images, Map<String, String> labels, int client, long[] signal)
            throws IOException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        List<Call> calls = new ArrayList<>();
        for (int i = client; ; i++) {
            Path img = images.get(i % images.size());
            long start = System.nanoTime();
            SENT.set(client, start);
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url + "v1/predict?id=" + id(img)))
                        .timeout(Duration.ofSeconds(60)).header("Content-Type", "image/png")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(Files.readAllBytes(img))).build(),
                        HttpResponse.BodyHandlers.ofString());
                SENT.set(client, 0);
                String label = r.statusCode() == 200 ? JSON.readTree(r.body()).get("predictions").get(0).get("label").asText() : null;
                calls.add(new Call(start, System.nanoTime(), r.statusCode(), label, labels.get(id(img)), null));
                if (r.statusCode() != 200) {
                    return calls;
                }
            } catch (IOException | InterruptedException e) {
                calls.add(new Call(start, System.nanoTime(), 0, null, labels.get(id(img)), e));
                return calls;
            }
            synchronized (signal) {
                if (signal[0] != Long.MAX_VALUE && System.nanoTime() - signal[0] > TimeUnit.SECONDS.toNanos(30)) {
                    throw new IllegalStateException("the server kept answering 30 s after SIGTERM");
                }
            }
            if (calls.size() > 100_000) {
                throw new IllegalStateException("no SIGTERM came");
            }
        }
    }

    static String id(Path img) {
        String n = img.getFileName().toString();
        return n.substring(0, n.lastIndexOf('.'));
    }

    static List<JsonNode> post(HttpClient http, String url, byte[] body) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "image/png")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        List<JsonNode> out = new ArrayList<>();
        JSON.readTree(r.body()).get("predictions").forEach(out::add);
        return out;
    }

    static void assertSameAsPredict(String id, JsonNode p, Map<String, String> labels, Map<String, double[]> probs,
            List<String> classes) {
        assertEquals(labels.get(id), p.get("label").asText(), id);
        double[] want = probs.get(id);
        JsonNode top = p.get("top");
        assertEquals(classes.size(), top.size(), "every class listed");
        for (JsonNode s : top) {
            int c = classes.indexOf(s.get("label").asText());
            assertEquals(want[c], s.get("probability").asDouble(), 1e-5, id + " " + s);
        }
    }

    static byte[] multipart(String boundary, List<Path> files) throws IOException {
        var out = new java.io.ByteArrayOutputStream();
        for (Path f : files) {
            out.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"image\"; filename=\"" + id(f)
                    + "\"\r\nContent-Type: image/png\r\n\r\n").getBytes(StandardCharsets.UTF_8));
            out.writeBytes(Files.readAllBytes(f));
            out.writeBytes("\r\n".getBytes(StandardCharsets.UTF_8));
        }
        out.writeBytes(("--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }

    /** Waits for the "serving NAME ... on URL" line; the URL. */
    static String awaitServing(Process p, Path log) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < end) {
            Matcher m = SERVING.matcher(Files.exists(log) ? Cli.read(log) : "");
            if (m.find()) {
                return m.group(1);
            }
            if (!p.isAlive()) {
                throw new AssertionError("serve exited with " + p.exitValue() + ":\n" + Cli.read(log));
            }
            Thread.sleep(100);
        }
        throw new AssertionError("serve did not start in 120 s:\n" + Cli.read(log));
    }
}
