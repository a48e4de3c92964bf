package org.convkit.serve;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.function.DoubleSupplier;

/**
 * What {@code GET /metrics} shows, in Prometheus' text format (the Prometheus Java client writes
 * it): requests by endpoint and status, request latency, images by outcome, batch sizes, forward
 * pass time, images admitted and waiting, images per second over the last 10 seconds, readiness.
 * One registry per server, so two servers in one JVM (tests) do not mix their counts.
 */
final class ServerMetrics {
    /** Latency buckets from 1 ms to 60 s: a Fashion-MNIST image takes ~1 ms, a queued resnet50 batch seconds. */
    private static final double[] SECONDS = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Counter requests;
    private final Histogram latency;
    private final Counter images;
    private final Histogram batchSizes;
    private final Histogram passSeconds;
    private final RateWindow rate = new RateWindow(10);

    ServerMetrics(int maxBatch, DoubleSupplier admitted, DoubleSupplier waiting, DoubleSupplier ready) {
        requests = Counter.builder().name("convkit_http_requests_total")
                .help("HTTP requests answered, by endpoint and status").labelNames("endpoint", "status").register(registry);
        latency = Histogram.builder().name("convkit_http_request_duration_seconds").unit(Unit.SECONDS)
                .help("Time from a request's arrival to its answer, by endpoint").labelNames("endpoint")
                .classicOnly().classicUpperBounds(SECONDS).register(registry);
        images = Counter.builder().name("convkit_images_total")
                .help("Images received for prediction, by outcome: ok, or why it was refused (empty, not_an_image,"
                        + " too_large, unreadable)")
                .labelNames("outcome").register(registry);
        batchSizes = Histogram.builder().name("convkit_batch_size")
                .help("Images per forward pass (dynamic batching gathers concurrent requests up to --max-batch)")
                .classicOnly().classicUpperBounds(powersOfTwo(maxBatch)).register(registry);
        passSeconds = Histogram.builder().name("convkit_forward_pass_duration_seconds").unit(Unit.SECONDS)
                .help("Time of one forward pass over a batch").classicOnly().classicUpperBounds(SECONDS).register(registry);
        gauge("convkit_queue_images",
                "Images admitted and not yet answered (decoding, waiting or in a pass); --queue bounds it", admitted);
        gauge("convkit_batch_queue_images", "Images prepared and waiting for a forward pass", waiting);
        gauge("convkit_images_per_second", "Images answered per second over the last 10 seconds", rate::perSecond);
        gauge("convkit_ready", "1 once the model is loaded and warmed up, 0 while loading or stopping", ready);
    }

    /** A gauge read from {@code value} whenever the registry is scraped. */
    private void gauge(String name, String help, DoubleSupplier value) {
        GaugeWithCallback.builder().name(name).help(help).callback(cb -> cb.call(value.getAsDouble())).register(registry);
    }

    private static double[] powersOfTwo(int max) {
        int n = 1;
        while ((1 << (n - 1)) < max) {
            n++;
        }
        double[] b = new double[n];
        for (int i = 0; i < n; i++) {
            b[i] = Math.min(1 << i, max);
        }
        return b;
    }

    void request(String endpoint, int status, long nanos) {
        requests.labelValues(endpoint, Integer.toString(status)).inc();
        latency.labelValues(endpoint).observe(nanos / 1e9);
    }

    void image(String outcome) {
        images.labelValues(outcome).inc();
        if (outcome.equals("ok")) {
            rate.add(1);
        }
    }

    void pass(int size, long nanos) {
        batchSizes.observe(size);
        passSeconds.observe(nanos / 1e9);
    }

    /** The text format, as Prometheus scrapes it. */
    byte[] scrape() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            PrometheusTextFormatWriter.create().write(out, registry.scrape());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    static String contentType() {
        return PrometheusTextFormatWriter.CONTENT_TYPE;
    }

    /** Events per second over the last {@code seconds} whole seconds: a ring of per-second counts. */
    static final class RateWindow {
        private final int seconds;
        private final long[] counts;
        private final long[] stamps;

        RateWindow(int seconds) {
            this.seconds = seconds;
            this.counts = new long[seconds + 1];
            this.stamps = new long[seconds + 1];
        }

        synchronized void add(long n) {
            long now = System.nanoTime() / 1_000_000_000L;
            int slot = (int) (now % counts.length);
            if (stamps[slot] != now) {
                stamps[slot] = now;
                counts[slot] = 0;
            }
            counts[slot] += n;
        }

        /** Over the last {@code seconds} complete seconds (the current one is still counting). */
        synchronized double perSecond() {
            long now = System.nanoTime() / 1_000_000_000L;
            long sum = 0;
            for (int i = 0; i < counts.length; i++) {
                long age = now - stamps[i];
                if (age >= 1 && age <= seconds) {
                    sum += counts[i];
                }
            }
            return (double) sum / seconds;
        }
    }
}
