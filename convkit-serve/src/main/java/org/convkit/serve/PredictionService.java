package org.convkit.serve;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.imageio.ImageIO;
import org.convkit.core.ConvkitException;
import org.convkit.data.Sample;
import org.convkit.data.image.Png;
import org.convkit.eval.Classifier;
import org.convkit.eval.ImagePrediction;
import org.convkit.eval.ModelCard;
import org.convkit.eval.Preprocessor;

/**
 * A request's images to answers, under the server's limits: admission against the bounded queue,
 * decoding on the request's own thread (so decoding runs on as many threads as there are requests),
 * the forward pass through the {@link Batcher}, the per-request timeout. Knows nothing of HTTP.
 */
final class PredictionService implements AutoCloseable {

    /**
     * One image's answer and how it was computed.
     *
     * @param prediction the classes, or the reason there are none
     * @param batchSize images in the forward pass it was part of (0 when it had none)
     * @param queuedMs how long it waited for its pass
     */
    record Answer(ImagePrediction prediction, int batchSize, double queuedMs) {}

    private final Classifier classifier;
    private final ModelCard card;
    private final Preprocessor preprocessor;
    private final ServeOptions options;
    private final Batcher batcher;
    private final Semaphore queue;
    private final Semaphore decoders;
    private final ServerMetrics metrics;

    PredictionService(Classifier classifier, ServeOptions options, ServerMetrics metrics) {
        this.classifier = classifier;
        this.card = classifier.card();
        // the server's own pixel limit, not the JVM's: --max-pixels concerns these uploads only
        this.preprocessor = new Preprocessor(card, options.maxPixels());
        this.options = options;
        this.metrics = metrics;
        this.queue = new Semaphore(options.queueImages());
        this.decoders = new Semaphore(options.decoders());
        this.batcher = new Batcher(classifier, options.maxBatch(), options.maxWaitMs(), metrics::pass);
    }

    ModelCard card() {
        return card;
    }

    /** Images admitted and not yet answered. */
    int admitted() {
        return options.queueImages() - queue.availablePermits();
    }

    /** Images prepared and waiting for a pass. */
    int waiting() {
        return batcher.waiting();
    }

    /**
     * Runs the network once on {@code n} blank images, and decodes a PNG and a JPEG, so the first
     * request pays neither the engine's first-pass setup nor the native decoders' loading.
     */
    void warmUp(int n) throws IOException {
        // 2x2: under any --max-pixels a server could sensibly have
        BufferedImage blank = new BufferedImage(2, 2, BufferedImage.TYPE_INT_RGB);
        ByteArrayOutputStream jpeg = new ByteArrayOutputStream();
        ImageIO.write(blank, "jpeg", jpeg);
        preprocessor.tensor(Sample.encoded("warm-up.png", Png.encode(blank)));
        preprocessor.tensor(Sample.encoded("warm-up.jpeg", jpeg.toByteArray()));
        classifier.logits(new float[n * preprocessor.imageSize()], n);
    }

    /**
     * Answers the images of one request, in order; a bad image gets its problem, the others their
     * classes.
     *
     * @throws ApiError 413 when the request has more images than the queue holds; 503 (with
     *     Retry-After) when the queue is full or the answer took longer than the timeout
     */
    List<Answer> predict(List<Sample> images, int topK) {
        long start = System.nanoTime();
        int n = images.size();
        if (n > options.queueImages()) {
            throw new ApiError(413, "too_many_images", n + " images in one request; this server takes at most "
                    + options.queueImages() + " at a time (--queue): send them in smaller requests");
        }
        if (!queue.tryAcquire(n)) {
            throw ApiError.busy("the server is busy: " + admitted() + " images are already queued (--queue "
                    + options.queueImages() + "); retry after the Retry-After seconds");
        }
        long deadline = start + TimeUnit.MILLISECONDS.toNanos(options.timeoutMs());
        List<CompletableFuture<Batcher.Scores>> pending = new ArrayList<>(n);
        try {
            Answer[] out = new Answer[n];
            for (int i = 0; i < n; i++) {
                Sample s = images.get(i);
                float[] input = new float[preprocessor.imageSize()];
                try {
                    decode(s, input, deadline);
                } catch (ConvkitException | ApiError e) {
                    throw e; // the model's configuration, not this image: a server error
                } catch (Exception e) {
                    ImagePrediction.Problem p = ImagePrediction.problem(s.encoded(), e);
                    metrics.image(p.kind().name().toLowerCase(Locale.ROOT));
                    out[i] = new Answer(ImagePrediction.failed(s.id(), problem(p)), 0, 0);
                    pending.add(null);
                    continue;
                }
                pending.add(batcher.submit(input));
            }
            for (int i = 0; i < n; i++) {
                CompletableFuture<Batcher.Scores> f = pending.get(i);
                if (f == null) {
                    continue;
                }
                Batcher.Scores s = await(f, deadline);
                ImagePrediction p = ImagePrediction.of(images.get(i).id(), s.logits(), s.row(), card.classes(),
                        card.blank(), topK);
                metrics.image("ok");
                out[i] = new Answer(p, s.batchSize(), s.queuedNanos() / 1e6);
            }
            return List.of(out);
        } finally {
            pending.forEach(f -> {
                if (f != null) {
                    f.cancel(false); // a timed-out request's images leave the batcher's queue unrun
                }
            });
            queue.release(n);
        }
    }

    /** Decodes and prepares one image, at most {@link ServeOptions#decoders()} at once. */
    private void decode(Sample s, float[] input, long deadline) throws IOException {
        try {
            if (!decoders.tryAcquire(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                throw timedOut();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ApiError.stopping();
        }
        try {
            preprocessor.tensor(s, input, 0);
        } finally {
            decoders.release();
        }
    }

    private ApiError timedOut() {
        return ApiError.busy("no answer within " + options.timeoutMs() + " ms (--timeout-ms): the server is"
                + " overloaded; retry after the Retry-After seconds");
    }

    private Batcher.Scores await(CompletableFuture<Batcher.Scores> f, long deadline) {
        try {
            return f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException | CancellationException e) {
            throw timedOut();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ApiError.stopping();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof Batcher.Stopped) {
                throw ApiError.stopping();
            }
            throw new IllegalStateException("the forward pass failed: " + cause, cause);
        }
    }

    /** The decoder's message, with the flag that raises this server's pixel limit. */
    private ImagePrediction.Problem problem(ImagePrediction.Problem p) {
        if (p.kind() == ImagePrediction.Kind.TOO_LARGE) {
            return new ImagePrediction.Problem(p.kind(), p.message() + " (this server's --max-pixels)");
        }
        return p;
    }

    /** Finishes the images already queued and stops the batching thread; closes nothing else. */
    @Override
    public void close() {
        batcher.close();
    }
}
