package org.convkit.serve;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.javalin.config.SizeUnit;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.http.staticfiles.Location;
import io.javalin.json.JavalinJackson;
import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.convkit.core.ConvkitException;
import org.convkit.data.Sample;
import org.convkit.eval.Classifier;
import org.eclipse.jetty.server.handler.GracefulHandler;

/**
 * One model over HTTP (Javalin on Jetty): the JSON API, the Prometheus metrics, the web page.
 *
 * <ul>
 *   <li>{@code POST /v1/predict[?top_k=K]} — images (raw body, multipart parts, or JSON base64) to
 *       their top-k classes; per head and the joined sequence for multi-head models.
 *   <li>{@code GET /v1/model} — the model card and the server's limits.
 *   <li>{@code GET /health} — the process answers; {@code GET /ready} — 200 once the model is
 *       loaded and warmed up, 503 while loading or stopping.
 *   <li>{@code GET /metrics} — Prometheus' text format ({@link ServerMetrics}).
 *   <li>{@code GET /} — the page: drop images, see their classes.
 * </ul>
 *
 * <p>The HTTP port opens before the model loads, so an orchestrator sees {@code /health} at once
 * and routes traffic when {@code /ready} says so. {@link #stop()} is graceful: the port stops
 * accepting, requests in flight finish (up to {@link ServeOptions#drainMs()}), then the model is
 * closed. docs/serve.md describes the API, the limits and how to put the server behind a reverse
 * proxy.
 */
public final class PredictionServer implements AutoCloseable {
    /** convkit's one JSON mapper, for requests and answers. */
    private static final ObjectMapper JSON = org.convkit.core.Json.mapper();
    private static final Set<String> ENDPOINTS = Set.of("/v1/predict", "/v1/model", "/health", "/ready", "/metrics", "/");

    private final ServeOptions options;
    private final Javalin app;
    private final ServerMetrics metrics;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile Classifier classifier;
    private volatile PredictionService service;
    private volatile boolean ready;
    private volatile boolean stopping;

    private PredictionServer(ServeOptions options) {
        this.options = options;
        this.metrics = new ServerMetrics(options.maxBatch(), () -> service == null ? 0 : service.admitted(),
                () -> service == null ? 0 : service.waiting(), () -> ready ? 1 : 0);
        this.app = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.startup.showOldJavalinVersionWarning = false;
            config.startup.startupWatcherEnabled = false; // its thread would keep the JVM alive 5 s
            config.jsonMapper(new JavalinJackson(JSON, false));
            config.http.maxRequestSize = options.maxUploadBytes();
            config.http.prefer405over404 = true;
            long inMemory = Math.min(options.maxUploadBytes(), Integer.MAX_VALUE);
            config.jetty.multipartConfig.maxFileSize(options.maxUploadBytes(), SizeUnit.BYTES);
            config.jetty.multipartConfig.maxTotalRequestSize(options.maxUploadBytes(), SizeUnit.BYTES);
            config.jetty.multipartConfig.maxInMemoryFileSize((int) inMemory, SizeUnit.BYTES); // never spooled to disk
            config.jetty.modifyServer(server -> {
                // graceful stop: connectors stop accepting, requests in flight finish, then Jetty stops
                server.insertHandler(new GracefulHandler());
                server.setStopTimeout(options.drainMs());
                server.setStopAtShutdown(false); // stop() does it, in order (then the model)
                server.setErrorHandler(new JsonErrors(() -> stopping));
            });
            config.staticFiles.add(files -> {
                files.hostedPath = "/";
                files.directory = "/org/convkit/serve/page";
                files.location = Location.CLASSPATH;
                // the page loads nothing from elsewhere: no CDN, no fonts, works offline
                files.headers = Map.of("Cache-Control", "no-cache", "Content-Security-Policy",
                        "default-src 'self'; img-src 'self' blob: data:; style-src 'self'; script-src 'self'",
                        "X-Content-Type-Options", "nosniff");
            });
            config.requestLogger.http((ctx, ms) -> metrics.request(endpoint(ctx), ctx.statusCode(), (long) (ms * 1e6)));
            config.routes.get("/health", ctx -> ctx.json(new Api.Status(stopping ? "stopping" : "ok")));
            config.routes.get("/ready", this::ready);
            config.routes.get("/metrics", ctx -> ctx.contentType(ServerMetrics.contentType()).result(metrics.scrape()));
            config.routes.get("/v1/model", ctx -> ctx.json(Api.ModelInfo.of(loaded().card(), classifier.engine(), options)));
            config.routes.post("/v1/predict", this::predict);
            config.routes.exception(ApiError.class, (e, ctx) -> error(ctx, e));
            config.routes.exception(HttpResponseException.class, (e, ctx) -> error(ctx, httpError(ctx, e)));
            config.routes.exception(Exception.class, (e, ctx) -> {
                org.slf4j.LoggerFactory.getLogger(PredictionServer.class).error("request failed", e);
                error(ctx, new ApiError(500, "internal", "the server failed on this request: " + e));
            });
        });
    }

    /**
     * Opens the port, then loads the model with {@code open} and warms it up; returns once the
     * server is ready. The port answers {@code /health} (and 503 on {@code /ready}) while the model
     * loads.
     *
     * @param open loads the model (a checkpoint, an ONNX file ...); its exceptions stop the server
     * @param log where to say what is served and where (stderr for the CLI)
     * @throws ConvkitException when the port cannot be opened or the model cannot be loaded
     */
    public static PredictionServer start(ServeOptions options, Callable<Classifier> open, PrintStream log) {
        PredictionServer s = new PredictionServer(options);
        try {
            s.app.start(options.host(), options.port());
        } catch (RuntimeException e) {
            throw new ConvkitException("cannot listen on " + options.host() + ":" + options.port() + " ("
                    + (e.getMessage() == null ? e : e.getMessage()) + "); choose another --port or --host", e);
        }
        try {
            long t0 = System.nanoTime();
            Classifier c = open.call();
            s.classifier = c;
            PredictionService service = new PredictionService(c, options, s.metrics);
            service.warmUp(1);
            if (options.maxBatch() > 1) {
                service.warmUp(options.maxBatch());
            }
            s.service = service;
            s.ready = true;
            log.printf(Locale.ROOT, "serving %s (%s, %s) on %s%n  ready in %.1f s; batches of up to %d images gathered"
                    + " for %d ms; Ctrl+C or SIGTERM stops it gracefully%n", c.card().name(), c.card().architecture(),
                    c.engine(), s.url(), (System.nanoTime() - t0) / 1e9, options.maxBatch(), options.maxWaitMs());
            log.flush();
            return s;
        } catch (Exception e) {
            s.close();
            throw e instanceof ConvkitException ce ? ce : new ConvkitException("cannot load the model: " + e, e);
        }
    }

    /** The port it listens on (the one picked when {@link ServeOptions#port()} was 0). */
    public int port() {
        return app.port();
    }

    /** The base URL, e.g. http://127.0.0.1:8080/. */
    public String url() {
        String host = options.host().contains(":") ? "[" + options.host() + "]" : options.host();
        return "http://" + host + ":" + port() + "/";
    }

    public boolean isReady() {
        return ready;
    }

    /**
     * Stops on SIGTERM and SIGINT (Ctrl+C) the graceful way ({@link #stop()}); the JVM's own
     * handlers would run shutdown hooks and exit with 143 or 130 while requests are still being
     * answered. {@link #awaitStopped()} then returns and the command exits 0.
     */
    @SuppressWarnings("sunapi") // sun.misc.Signal: the JDK's only way to handle a signal instead of dying of it
    public void stopOnSignals() {
        for (String name : List.of("TERM", "INT")) {
            sun.misc.Signal.handle(new sun.misc.Signal(name), sig -> {
                Thread t = new Thread(this::stop, "convkit-stop");
                t.start();
            });
        }
    }

    /** Blocks until the server has stopped. */
    public void awaitStopped() throws InterruptedException {
        stopped.await();
    }

    /**
     * Graceful stop: not ready (503 on {@code /ready} and on new predictions), the port stops
     * accepting, requests in flight are answered (up to the drain time), the model is closed.
     * Idempotent; blocks until done.
     */
    public synchronized void stop() {
        if (stopped.getCount() == 0) {
            return;
        }
        ready = false;
        stopping = true;
        try {
            app.stop();
        } finally {
            PredictionService s = service;
            if (s != null) {
                s.close();
            }
            Classifier c = classifier;
            if (c != null) {
                c.close();
            }
            stopped.countDown();
        }
    }

    @Override
    public void close() {
        stop();
    }

    private PredictionService loaded() {
        PredictionService s = service;
        if (stopping) {
            throw ApiError.stopping();
        }
        if (s == null || !ready) {
            throw new ApiError(503, "loading", "the model is still loading; retry in a moment (GET /ready says when)", 1);
        }
        return s;
    }

    private void ready(Context ctx) {
        if (ready && !stopping) {
            ctx.json(new Api.Status("ready"));
        } else {
            ctx.status(503).header("Retry-After", "1").json(new Api.Status(stopping ? "stopping" : "loading"));
        }
    }

    private void predict(Context ctx) {
        long start = System.nanoTime();
        PredictionService s = loaded();
        int k = topK(ctx.queryParam("top_k"), s.card().classes().size());
        List<Sample> images = Uploads.read(ctx, options.maxUploadBytes(), JSON);
        List<PredictionService.Answer> answers = s.predict(images, k);
        List<Api.Prediction> out = answers.stream().map(Api.Prediction::of).toList();
        ApiError.Detail firstError = out.stream().map(Api.Prediction::error).filter(e -> e != null).findFirst().orElse(null);
        boolean anyOk = out.stream().anyMatch(p -> p.error() == null);
        // a request whose every image was refused gets the first refusal's status (415, 413, 400)
        ctx.status(anyOk ? 200 : firstError.status());
        ctx.json(new Api.PredictResponse(Api.ModelRef.of(s.card()), out, (System.nanoTime() - start) / 1e6,
                anyOk ? null : firstError));
    }

    /** {@code ?top_k=}: 1 or more; above the class count it lists every class. */
    private int topK(String value, int classes) {
        if (value == null || value.isBlank()) {
            return Math.min(options.topK(), classes);
        }
        try {
            int k = Integer.parseInt(value.trim());
            if (k >= 1) {
                return Math.min(k, classes);
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw new ApiError(400, "bad_top_k", "top_k=" + value + ": give a whole number of classes, 1 or more");
    }

    /** Javalin's own refusals (no such route, wrong method, body too large) in the API's words. */
    private ApiError httpError(Context ctx, HttpResponseException e) {
        return switch (e.getStatus()) {
            case 404 -> new ApiError(404, "not_found", ctx.method() + " " + ctx.path() + ": no such endpoint; the API is"
                    + " POST /v1/predict, GET /v1/model, /health, /ready, /metrics and the page at /");
            case 405 -> new ApiError(405, "method_not_allowed", ctx.method() + " is not allowed on " + ctx.path());
            case 413 -> new ApiError(413, "upload_too_large", "the upload is above this server's limit of "
                    + options.maxUploadBytes() + " bytes (--max-upload-mb)");
            default -> new ApiError(e.getStatus(), "http_" + e.getStatus(), e.getMessage());
        };
    }

    private static void error(Context ctx, ApiError e) {
        ctx.status(e.status);
        if (e.retryAfter > 0) {
            ctx.header("Retry-After", Integer.toString(e.retryAfter));
        }
        ctx.json(e.body());
    }

    private static String endpoint(Context ctx) {
        String p = ctx.path();
        if (ENDPOINTS.contains(p)) {
            return p;
        }
        return ctx.statusCode() == 404 ? "unknown" : "page";
    }

    /** Waits up to {@code timeout} for the server to stop (tests). */
    boolean awaitStopped(long timeout, TimeUnit unit) throws InterruptedException {
        return stopped.await(timeout, unit);
    }
}
