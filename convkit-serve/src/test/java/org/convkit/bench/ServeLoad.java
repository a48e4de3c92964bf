package org.convkit.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * bench/serve.sh's load: {@code clients} concurrent clients, each with its own connection, send
 * one image per request (the raw body) to {@code url} until {@code requests} have been answered
 * after {@code warmup} unmeasured ones; prints one line of key=value: images/s, p50 and p99
 * latency, errors. The same client for every server measured, so the comparison is fair.
 *
 * <pre>ServeLoad url=http://127.0.0.1:18181/v1/predict images=DIR clients=8 requests=400 warmup=40</pre>
 */
public final class ServeLoad {
    private ServeLoad() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> a = new HashMap<>();
        for (String arg : args) {
            String[] kv = arg.split("=", 2);
            a.put(kv[0], kv[1]);
        }
        URI url = URI.create(a.get("url"));
        int clients = Integer.parseInt(a.get("clients"));
        int requests = Integer.parseInt(a.get("requests"));
        int warmup = Integer.parseInt(a.getOrDefault("warmup", "0"));
        List<byte[]> images = new ArrayList<>();
        List<String> types = new ArrayList<>();
        try (Stream<Path> files = Files.walk(Path.of(a.get("images")))) {
            for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                images.add(Files.readAllBytes(f));
                types.add(f.toString().toLowerCase(Locale.ROOT).endsWith(".png") ? "image/png" : "image/jpeg");
            }
        }
        if (images.isEmpty()) {
            throw new IllegalArgumentException("no images in " + a.get("images"));
        }
        run(url, clients, warmup, images, types, new long[warmup], new AtomicInteger());
        long[] latency = new long[requests];
        AtomicInteger errors = new AtomicInteger();
        long start = System.nanoTime();
        run(url, clients, requests, images, types, latency, errors);
        double seconds = (System.nanoTime() - start) / 1e9;
        long[] sorted = latency.clone();
        Arrays.sort(sorted);
        System.out.printf(Locale.ROOT, "RESULT clients=%d requests=%d errors=%d seconds=%.3f img_s=%.2f p50_ms=%.2f p99_ms=%.2f%n",
                clients, requests, errors.get(), seconds, (requests - errors.get()) / seconds, percentile(sorted, 0.50) / 1e6,
                percentile(sorted, 0.99) / 1e6);
    }

    /** Sends {@code n} requests over {@code clients} threads; latency[i] is request i's time in nanoseconds. */
    static void run(URI url, int clients, int n, List<byte[]> images, List<String> types, long[] latency, AtomicInteger errors)
            throws Exception {
        AtomicInteger next = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        List<Future<?>> all = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            all.add(pool.submit(() -> {
                HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
                for (int i = next.getAndIncrement(); i < n; i = next.getAndIncrement()) {
                    int k = i % images.size();
                    HttpRequest req = HttpRequest.newBuilder(url).timeout(Duration.ofMinutes(5))
                            .header("Content-Type", types.get(k)).POST(HttpRequest.BodyPublishers.ofByteArray(images.get(k))).build();
                    long t0 = System.nanoTime();
                    try {
                        HttpResponse<byte[]> r = http.send(req, HttpResponse.BodyHandlers.ofByteArray());
                        if (r.statusCode() != 200) {
                            errors.incrementAndGet();
                        }
                    } catch (IOException e) {
                        errors.incrementAndGet();
                    }
                    latency[i] = System.nanoTime() - t0;
                }
                return null;
            }));
        }
        for (Future<?> f : all) {
            f.get();
        }
        pool.shutdown();
    }

    /** The nearest-rank percentile of sorted values. */
    static long percentile(long[] sorted, double q) {
        if (sorted.length == 0) {
            return 0;
        }
        int rank = (int) Math.ceil(q * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }
}
