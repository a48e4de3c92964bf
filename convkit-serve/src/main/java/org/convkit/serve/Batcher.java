package org.convkit.serve;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.convkit.eval.Classifier;

/**
 * Dynamic batching: images from concurrent requests, each already turned into the network's input,
 * gathered into one forward pass of up to {@code maxBatch} images. The first image of a batch
 * waits at most {@code maxWait} for others; when a pass is running, the images that arrive
 * meanwhile form the next batch at once (no extra wait: they already waited for the pass).
 *
 * <p>One thread runs the passes, one at a time: an engine gives each pass all the cores (libtorch's
 * intra-op threads), so two passes at once would only share them. The queue itself is unbounded;
 * the server bounds it by admitting requests ({@link PredictionService}).
 *
 * <p>An image's scores do not depend on the other images of its batch (the classifier runs in
 * evaluation mode); the tests check it within 1e-5.
 */
final class Batcher implements AutoCloseable {

    /**
     * One image's part of a pass: the pass's scores and the image's row in them.
     *
     * @param logits per head, n*classes scores row-major (shared by the batch; read only)
     * @param row the image's index in the batch
     * @param batchSize images in the pass
     * @param queuedNanos how long the image waited for its pass to start
     * @param passNanos how long the pass took
     */
    record Scores(float[][] logits, int row, int batchSize, long queuedNanos, long passNanos) {}

    /** Called after every pass (metrics): images, how long it took. */
    interface PassListener {
        void pass(int images, long nanos);
    }

    /** Why an image got no pass: the batcher was closed before its turn. */
    static final class Stopped extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        Stopped() {
            super("the server is stopping");
        }
    }

    private record Item(float[] input, long enqueued, CompletableFuture<Scores> answer) {}

    private final Classifier classifier;
    private final int maxBatch;
    private final long maxWaitNanos;
    private final PassListener listener;
    private final LinkedBlockingQueue<Item> queue = new LinkedBlockingQueue<>();
    private final Thread thread;
    private volatile boolean running = true;

    Batcher(Classifier classifier, int maxBatch, int maxWaitMs, PassListener listener) {
        this.classifier = classifier;
        this.maxBatch = maxBatch;
        this.maxWaitNanos = TimeUnit.MILLISECONDS.toNanos(maxWaitMs);
        this.listener = listener;
        this.thread = new Thread(this::loop, "convkit-batcher");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Queues one prepared image. The future completes with its scores, or exceptionally when the
     * pass failed; cancelling it (a request that timed out) drops the image if its pass has not
     * started.
     */
    CompletableFuture<Scores> submit(float[] input) {
        CompletableFuture<Scores> f = new CompletableFuture<>();
        if (!running) {
            f.completeExceptionally(new Stopped());
            return f;
        }
        queue.add(new Item(input, System.nanoTime(), f));
        return f;
    }

    /** Images waiting for a pass. */
    int waiting() {
        return queue.size();
    }

    private void loop() {
        List<Item> batch = new ArrayList<>(maxBatch);
        while (running || !queue.isEmpty()) {
            try {
                Item first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null || first.answer.isDone()) {
                    continue;
                }
                batch.add(first);
                long deadline = first.enqueued + maxWaitNanos;
                while (batch.size() < maxBatch) {
                    long left = deadline - System.nanoTime();
                    Item next = left > 0 ? queue.poll(left, TimeUnit.NANOSECONDS) : queue.poll();
                    if (next == null) {
                        break;
                    }
                    if (!next.answer.isDone()) { // a cancelled image (its request timed out) is dropped
                        batch.add(next);
                    }
                }
                run(batch);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                batch.forEach(i -> i.answer.completeExceptionally(e));
                return;
            } finally {
                batch.clear();
            }
        }
    }

    private void run(List<Item> batch) {
        int n = batch.size();
        int per = batch.get(0).input.length;
        float[] pixels = new float[n * per];
        for (int i = 0; i < n; i++) {
            System.arraycopy(batch.get(i).input, 0, pixels, i * per, per);
        }
        long start = System.nanoTime();
        float[][] logits;
        try {
            logits = classifier.logits(pixels, n);
        } catch (RuntimeException | Error e) {
            batch.forEach(i -> i.answer.completeExceptionally(e));
            return;
        }
        long took = System.nanoTime() - start;
        listener.pass(n, took);
        for (int i = 0; i < n; i++) {
            Item item = batch.get(i);
            item.answer.complete(new Scores(logits, i, n, start - item.enqueued, took));
        }
    }

    /** Finishes the images already queued, then stops the thread. */
    @Override
    public void close() {
        running = false;
        try {
            thread.join(TimeUnit.MINUTES.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Item left;
        while ((left = queue.poll()) != null) {
            left.answer.completeExceptionally(new Stopped());
        }
    }
}
