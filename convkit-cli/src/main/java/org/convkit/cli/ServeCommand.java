package org.convkit.cli;

import java.net.InetAddress;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import org.convkit.core.ConvkitException;
import org.convkit.data.image.Decoder;
import org.convkit.eval.Classifier;
import org.convkit.serve.PredictionServer;
import org.convkit.serve.ServeOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Serve a model over HTTP: POST /v1/predict (an image as the body, files as multipart parts, or JSON"
                + " base64) answers each image's top-k classes; concurrent requests are batched into one forward pass."
                + " GET / is a page to drop images on; GET /v1/model, /health, /ready, /metrics (Prometheus). Listens on"
                + " 127.0.0.1 unless --host says otherwise: put it behind a reverse proxy for TLS and authentication"
                + " (docs/serve.md). SIGTERM or Ctrl+C stops it gracefully (requests in flight are answered).",
            "Example: convkit serve --checkpoint runs/fashion --port 8080",
            "         convkit serve --checkpoint model.onnx",
            "         curl -F image=@shoe.png http://127.0.0.1:8080/v1/predict"})
final class ServeCommand implements Callable<Integer> {
    @Mixin
    InferenceArgs run;

    @Option(names = "--host", defaultValue = ServeOptions.DEFAULT_HOST, paramLabel = "ADDR",
            description = "Address to listen on (default: ${DEFAULT-VALUE}, this machine only; 0.0.0.0 = every"
                    + " interface, behind a reverse proxy).")
    String host;

    @Option(names = "--port", defaultValue = "" + ServeOptions.DEFAULT_PORT, paramLabel = "N",
            description = "TCP port; 0 picks a free one (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--max-batch", defaultValue = "" + ServeOptions.DEFAULT_MAX_BATCH, paramLabel = "B",
            description = "Images per forward pass at most; concurrent requests are gathered up to it (1 = no batching;"
                    + " default: ${DEFAULT-VALUE}).")
    int maxBatch;

    @Option(names = "--max-wait-ms", defaultValue = "" + ServeOptions.DEFAULT_MAX_WAIT_MS, paramLabel = "W",
            description = "How long the first image of a batch waits for others (default: ${DEFAULT-VALUE}).")
    int maxWaitMs;

    @Option(names = "--queue", defaultValue = "" + ServeOptions.DEFAULT_QUEUE, paramLabel = "IMAGES",
            description = "Images admitted and not yet answered; a request that does not fit gets 503 with Retry-After"
                    + " (default: ${DEFAULT-VALUE}).")
    int queue;

    @Option(names = "--timeout-ms", defaultValue = "" + ServeOptions.DEFAULT_TIMEOUT_MS, paramLabel = "T",
            description = "Longest a request may take from admission to answer; then 503 (default: ${DEFAULT-VALUE}).")
    int timeoutMs;

    @Option(names = "--max-upload-mb", defaultValue = "" + ServeOptions.DEFAULT_MAX_UPLOAD_MB, paramLabel = "M",
            description = "Largest request body in MiB; 413 above (default: ${DEFAULT-VALUE}).")
    double maxUploadMb;

    @Option(names = "--max-pixels", defaultValue = "" + Decoder.DEFAULT_MAX_PIXELS, paramLabel = "P",
            description = "Largest image in pixels (width x height), read from its header before decoding, so a"
                    + " decompression bomb costs nothing; 413 above (default: ${DEFAULT-VALUE}, PIL's limit).")
    long maxPixels;

    @Option(names = "--top-k", defaultValue = "" + ServeOptions.DEFAULT_TOP_K, paramLabel = "K",
            description = "Classes listed per image when a request does not say ?top_k= (default: ${DEFAULT-VALUE}).")
    int topK;

    @Option(names = "--drain-ms", defaultValue = "" + ServeOptions.DEFAULT_DRAIN_MS, paramLabel = "T",
            description = "On SIGTERM, how long requests in flight may take to finish (default: ${DEFAULT-VALUE}).")
    int drainMs;

    @Mixin
    EngineArgs engine;

    @Override
    public Integer call() throws Exception {
        ServeOptions o = new ServeOptions(host, port, maxBatch, maxWaitMs, queue, timeoutMs,
                Math.round(maxUploadMb * (1 << 20)), maxPixels, topK, drainMs,
                run.workers != null ? run.workers : java.lang.Runtime.getRuntime().availableProcessors());
        Integer child = run.relaunchIfNeeded();
        if (child != null) {
            return child;
        }
        Supplier<Classifier> model = engine.classifier(run, maxBatch); // usage errors before the port opens
        warnIfExposed(host);
        PredictionServer server = PredictionServer.start(o, model::get, System.out);
        server.stopOnSignals();
        server.awaitStopped();
        System.out.println("stopped: every request in flight was answered");
        return 0;
    }

    private static void warnIfExposed(String host) {
        try {
            if (!InetAddress.getByName(host).isLoopbackAddress()) {
                System.err.println("warning: --host " + host + " accepts connections from other machines, without TLS or"
                        + " authentication; put a reverse proxy in front (docs/serve.md)");
            }
        } catch (java.net.UnknownHostException e) {
            throw new ConvkitException("--host " + host + ": no such address (" + e.getMessage().toLowerCase(Locale.ROOT) + ")");
        }
    }
}
