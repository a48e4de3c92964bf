package org.convkit.data.load;

import java.util.ArrayDeque;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.stream.IntStream;
import org.convkit.core.ConvkitException;
import org.convkit.core.Futures;
import org.convkit.core.Seeds;
import org.convkit.data.Batch;
import org.convkit.data.Image;
import org.convkit.data.ImageSource;
import org.convkit.data.Sample;
import org.convkit.data.Skipped;
import org.convkit.data.image.Decoder;
import org.convkit.data.image.Pipeline;

/**
 * Turns an {@link ImageSource} into batches: worker threads decode and transform whole batches in
 * parallel, at most {@code prefetch} batches ahead of the consumer, delivered in order. Memory is
 * bounded by (prefetch + 1) x batch size (the prepared batches and the one the consumer holds),
 * whatever the dataset size.
 *
 * <p>Reproducible: the epoch's order is a shuffle seeded by (seed, epoch) and every sample's
 * augmentation draws from a generator seeded by (seed, epoch, sample index), so the batches are
 * bit-identical for any number of workers. Unreadable samples are skipped and recorded ({@link
 * #skipped()}), never fatal; a batch that lost samples is just smaller.
 *
 * <pre>{@code
 * try (Loader loader = new Loader(source, pipeline, Loader.Options.train(64, seed))) {
 *     for (int epoch = 0; epoch < epochs; epoch++) {
 *         try (Loader.Epoch it = loader.epoch(epoch)) {
 *             while (it.hasNext()) { Batch b = it.next(); ... loader.recycle(b); }
 *             log(it.dataWaitShare());
 *         }
 *     }
 * }
 * }</pre>
 */
public final class Loader implements AutoCloseable {

    /**
     * How to load. Made by name, not by position: start from {@link #train} or {@link #eval} and
     * change a part with a {@code with...} method ({@code Options.train(64, seed).withWorkers(2)}).
     *
     * @param batchSize samples per batch
     * @param workers decoding threads; 0 decodes on the consumer's thread
     * @param prefetch batches prepared ahead (in flight or ready); at least 1
     * @param shuffle reshuffle every epoch (training)
     * @param dropLast drop the last, incomplete batch (training)
     * @param seed the run's seed
     * @param channels channels the model takes (1 or 3)
     * @param split name recorded with skipped samples ("train", "valid", "test")
     * @param keepBytes memory for keeping each sample as it comes out of the pipeline's leading
     *     steps that are not random (decoded, resized, cropped), so that later epochs neither
     *     read nor decode it again; samples past this budget are read every epoch. 0 keeps none
     *     (one pass over the data, as eval and predict make, gains nothing from it)
     */
    public record Options(int batchSize, int workers, int prefetch, boolean shuffle, boolean dropLast, long seed,
            int channels, String split, long keepBytes) {
        public Options {
            if (batchSize <= 0) {
                throw new ConvkitException("--batch-size must be positive, not " + batchSize);
            }
            if (workers < 0) {
                throw new ConvkitException("--workers must be 0 or more, not " + workers);
            }
            if (prefetch < 1) {
                throw new ConvkitException("prefetch must be at least 1 batch, not " + prefetch);
            }
            if (channels != 1 && channels != 3) {
                throw new IllegalArgumentException("channels must be 1 or 3");
            }
            if (keepBytes < 0) {
                throw new IllegalArgumentException("keepBytes must be 0 or more, not " + keepBytes);
            }
        }

        /** Training: shuffled, last partial batch dropped, all cores, 2 batches per worker ahead. */
        public static Options train(int batchSize, long seed) {
            return common(batchSize).shuffle(true).dropLast(true).seed(seed).split("train").build();
        }

        /** Evaluation: every sample exactly once, in source order. */
        public static Options eval(int batchSize) {
            return common(batchSize).shuffle(false).dropLast(false).seed(0).split("valid").build();
        }

        /**
         * What {@link #train} and {@link #eval} share: all cores, 2 batches per worker ahead, 3 channels,
         * nothing kept.
         */
        private static Builder common(int batchSize) {
            int w = defaultWorkers();
            return new Builder().batchSize(batchSize).workers(w).prefetch(Math.max(2, 2 * w)).channels(3).keepBytes(0);
        }

        /** A builder holding these options: change what you need and {@link Builder#build()}. */
        public Builder toBuilder() {
            Builder b = new Builder();
            b.batchSize = batchSize;
            b.workers = workers;
            b.prefetch = prefetch;
            b.shuffle = shuffle;
            b.dropLast = dropLast;
            b.seed = seed;
            b.channels = channels;
            b.split = split;
            b.keepBytes = keepBytes;
            return b;
        }

        public Options withWorkers(int n) {
            return toBuilder().workers(n).build();
        }

        public Options withPrefetch(int n) {
            return toBuilder().prefetch(n).build();
        }

        public Options withChannels(int c) {
            return toBuilder().channels(c).build();
        }

        public Options withSplit(String s) {
            return toBuilder().split(s).build();
        }

        public Options withDropLast(boolean d) {
            return toBuilder().dropLast(d).build();
        }

        public Options withKeepBytes(long bytes) {
            return toBuilder().keepBytes(bytes).build();
        }

        public Options withShuffle(boolean s) {
            return toBuilder().shuffle(s).build();
        }

        /**
         * A budget for {@link #keepBytes} when the data is read over many epochs: an eighth of the
         * JVM's maximum heap (training and validation loaders together take a quarter at most),
         * at most 1 GiB.
         */
        public static long defaultKeepBytes() {
            return Math.min(1L << 30, java.lang.Runtime.getRuntime().maxMemory() / 8);
        }

        private static int defaultWorkers() {
            return Math.max(1, java.lang.Runtime.getRuntime().availableProcessors());
        }

        /** Builds {@link Options} by name; made by {@link Options#toBuilder()} from {@link #train} or {@link #eval}. */
        public static final class Builder {
            private int batchSize;
            private int workers;
            private int prefetch;
            private boolean shuffle;
            private boolean dropLast;
            private long seed;
            private int channels;
            private String split;
            private long keepBytes;

            private Builder() {}

            public Builder batchSize(int v) { batchSize = v; return this; }
            public Builder workers(int v) { workers = v; return this; }
            public Builder prefetch(int v) { prefetch = v; return this; }
            public Builder shuffle(boolean v) { shuffle = v; return this; }
            public Builder dropLast(boolean v) { dropLast = v; return this; }
            public Builder seed(long v) { seed = v; return this; }
            public Builder channels(int v) { channels = v; return this; }
            public Builder split(String v) { split = v; return this; }
            public Builder keepBytes(long v) { keepBytes = v; return this; }

            public Options build() {
                return new Options(batchSize, workers, prefetch, shuffle, dropLast, seed, channels, split, keepBytes);
            }
        }
    }

    private final ImageSource source;
    private final Pipeline pipeline;
    private final Options options;
    private final ExecutorService pool;
    /** Keyed by sample index so a sample that fails every epoch is listed once. */
    private final ConcurrentHashMap<Integer, Skipped> skipped = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<float[]> spare = new ConcurrentLinkedQueue<>();
    /** Samples after the pipeline's fixed steps, by index; null when nothing is kept. */
    private final AtomicReferenceArray<Kept> kept;
    private final int fixedSteps;
    private final AtomicLong keptBytes = new AtomicLong();
    private Epoch current;
    private boolean closed;

    public Loader(ImageSource source, Pipeline pipeline, Options options) {
        this.source = source;
        this.pipeline = pipeline;
        this.options = options;
        this.pool = options.workers() == 0 ? null : Executors.newFixedThreadPool(options.workers(), new Workers());
        this.fixedSteps = pipeline.fixedSteps();
        this.kept = options.keepBytes() > 0 ? new AtomicReferenceArray<>(source.size()) : null;
    }

    /** A sample as it comes out of the pipeline's fixed steps, with what a batch needs of it. */
    private record Kept(String id, int[] labels, Image image) {
        long bytes() {
            return image.data().length + 4L * labels.length + 2L * id.length() + 96; // + headers, roughly
        }
    }

    /** Memory taken by the samples kept across epochs so far (see {@link Options#keepBytes}). */
    public long keptBytes() {
        return keptBytes.get();
    }

    public Options options() {
        return options;
    }

    public ImageSource source() {
        return source;
    }

    /** Batches per epoch (as planned; a batch whose samples all fail is left out). */
    public int batchesPerEpoch() {
        int n = source.size();
        return options.dropLast() ? n / options.batchSize() : (n + options.batchSize() - 1) / options.batchSize();
    }

    /**
     * Starts epoch {@code epoch} (0-based), closing the previous one if it is still open. Only one
     * thread may consume an epoch.
     */
    public synchronized Epoch epoch(int epoch) {
        if (closed) {
            throw new IllegalStateException("loader is closed");
        }
        if (current != null) {
            current.close();
        }
        current = new Epoch(epoch);
        return current;
    }

    /**
     * Hands a batch's buffer back for reuse once the consumer has copied it (optional; saves
     * allocating large arrays). The batch must not be read afterwards.
     */
    public void recycle(Batch b) {
        if (spare.size() < options.prefetch() + 1) {
            spare.offer(b.data());
        }
    }

    /** Samples skipped so far (each listed once, in index order), for skipped.csv. */
    public List<Skipped> skipped() {
        return List.copyOf(new TreeMap<>(skipped).values());
    }

    public int skippedCount() {
        return skipped.size();
    }

    /** Stops the workers; waits for them to finish what they are doing. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (current != null) {
            current.close();
        }
        if (pool != null) {
            pool.shutdownNow();
            try {
                if (!pool.awaitTermination(30, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("loader workers did not stop within 30 s");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The sample order of epoch {@code epoch}: a seeded shuffle, or the identity. */
    int[] order(int epoch) {
        return options.shuffle() ? Seeds.epochOrder(source.size(), options.seed(), epoch)
                : IntStream.range(0, source.size()).toArray();
    }

    /** The batches of one epoch, in order. Close it (try-with-resources) to stop early. */
    public final class Epoch implements java.util.Iterator<Batch>, AutoCloseable {
        private final int epoch;
        private final int[] order;
        private final int batches;
        private final ArrayDeque<Future<Batch>> inFlight = new ArrayDeque<>();
        private int submitted;
        private int delivered;
        private Batch next;
        private boolean done;
        private final long started = System.nanoTime();
        private long finished;
        private long waitNanos;
        private int samples;

        private Epoch(int epoch) {
            this.epoch = epoch;
            this.order = order(epoch);
            this.batches = batchesPerEpoch();
        }

        @Override
        public boolean hasNext() {
            if (next != null) {
                return true;
            }
            if (done) {
                return false;
            }
            long t0 = System.nanoTime();
            try {
                while (next == null && delivered < batches) {
                    Batch b;
                    if (pool == null) {
                        b = build(epoch, order, delivered); // no workers: on this thread
                    } else {
                        topUp();
                        b = await(inFlight.poll());
                    }
                    delivered++;
                    if (b != null) {
                        next = b;
                    }
                }
            } finally {
                waitNanos += System.nanoTime() - t0;
            }
            if (next == null) {
                finish();
                return false;
            }
            topUp(); // keep workers busy while the consumer computes
            return true;
        }

        @Override
        public Batch next() {
            if (!hasNext()) {
                throw new NoSuchElementException("epoch " + epoch + " has no more batches");
            }
            Batch b = next;
            next = null;
            samples += b.size();
            return b;
        }

        private void topUp() {
            if (pool == null || done) {
                return;
            }
            while (submitted < batches && inFlight.size() + (next != null ? 1 : 0) < options.prefetch()) {
                int b = submitted++;
                inFlight.add(pool.submit(() -> build(epoch, order, b)));
            }
        }

        private Batch await(Future<Batch> f) {
            try {
                return f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                close();
                throw new ConvkitException("interrupted while waiting for data", e);
            } catch (ExecutionException e) {
                close();
                throw Futures.cause(e, cause -> new ConvkitException("loading a batch failed: " + cause, cause));
            }
        }

        private void finish() {
            if (!done) {
                done = true;
                finished = System.nanoTime();
            }
        }

        /** Seconds the consumer spent waiting for batches so far. */
        public double waitSeconds() {
            return waitNanos / 1e9;
        }

        /** Seconds since the epoch started (until its end once it is over). */
        public double elapsedSeconds() {
            return ((done ? finished : System.nanoTime()) - started) / 1e9;
        }

        /** Share of the epoch's time the consumer waited for data (0..1): high = input-bound. */
        public double dataWaitShare() {
            double total = elapsedSeconds();
            return total <= 0 ? 0 : Math.min(1, waitSeconds() / total);
        }

        /** Samples delivered so far. */
        public int samples() {
            return samples;
        }

        public int epochIndex() {
            return epoch;
        }

        /** Cancels batches not yet delivered; the workers move on to other work at once. */
        @Override
        public void close() {
            for (Future<Batch> f : inFlight) {
                f.cancel(true);
            }
            inFlight.clear();
            next = null;
            finish();
        }
    }

    /** Decodes, transforms and packs batch {@code b} of the epoch; null when every sample failed. */
    private Batch build(int epoch, int[] order, int b) {
        int from = b * options.batchSize();
        int to = Math.min(order.length, from + options.batchSize());
        int n = to - from;
        float[] data = null;
        int[] chw = null;
        int heads = -1;
        int[] labels = null;
        String[] ids = new String[n];
        int[] indices = new int[n];
        int k = 0;
        for (int i = from; i < to; i++) {
            if (Thread.currentThread().isInterrupted()) {
                return null; // cancelled: the epoch was closed
            }
            int index = order[i];
            SplittableRandom rng = new SplittableRandom(Seeds.mix(options.seed(), epoch, index));
            Kept sample = kept == null ? null : kept.get(index);
            Sample s = null;
            if (sample == null) {
                try {
                    s = source.get(index);
                } catch (Exception e) {
                    if (Thread.currentThread().isInterrupted()) {
                        return null; // the epoch was closed mid-read (ClosedByInterruptException): not a bad file
                    }
                    skip(index, "#" + index, "cannot read: " + message(e));
                    continue;
                }
            }
            Image out;
            try {
                if (sample == null) {
                    Image decoded = Decoder.image(s, options.channels());
                    Image fixed = pipeline.transform(decoded, rng, 0, fixedSteps);
                    sample = new Kept(s.id(), s.labels(), fixed);
                    // a source that holds pixels (IDX, CIFAR's binary batches) passed through steps
                    // that changed nothing would only be copied: keeping it saves no work
                    if (s.encoded() != null || fixed != decoded) {
                        keep(index, sample);
                    }
                }
                out = pipeline.transform(sample.image(), rng, fixedSteps, pipeline.steps().size());
            } catch (ConvkitException e) {
                throw e; // a configuration error (bad pipeline for this data), not a bad sample
            } catch (Exception e) {
                if (Thread.currentThread().isInterrupted()) {
                    return null;
                }
                skip(index, s != null ? s.id() : sample.id(), message(e));
                continue;
            }
            if (heads < 0) {
                heads = sample.labels().length;
                labels = new int[n * heads];
                chw = new int[] {out.channels(), out.height(), out.width()};
                data = buffer(n * chw[0] * chw[1] * chw[2]);
            }
            if (sample.labels().length != heads) {
                skip(index, sample.id(), "has " + sample.labels().length + " labels where the others have " + heads);
                continue;
            }
            if (out.channels() != chw[0] || out.height() != chw[1] || out.width() != chw[2]) {
                throw new ConvkitException("sample " + sample.id() + " is " + out.height() + "x" + out.width() + " after the transforms ("
                        + pipeline.spec() + ") but the batch is " + chw[1] + "x" + chw[2]
                        + ": add a resize/centercrop step so every image has the same size");
            }
            pipeline.normalize().toTensor(out, data, k * chw[0] * chw[1] * chw[2]);
            System.arraycopy(sample.labels(), 0, labels, k * heads, heads);
            ids[k] = sample.id();
            indices[k] = index;
            k++;
        }
        if (k == 0) {
            return null;
        }
        if (k < n) {
            int per = chw[0] * chw[1] * chw[2];
            float[] d = new float[k * per];
            System.arraycopy(data, 0, d, 0, k * per);
            data = d;
            labels = java.util.Arrays.copyOf(labels, k * heads);
            ids = java.util.Arrays.copyOf(ids, k);
            indices = java.util.Arrays.copyOf(indices, k);
        }
        return new Batch(data, k, chw[0], chw[1], chw[2], labels, heads, ids, indices);
    }

    /** Keeps {@code sample} for later epochs while the budget allows. */
    private void keep(int index, Kept sample) {
        if (kept == null) {
            return;
        }
        long b = sample.bytes();
        if (keptBytes.addAndGet(b) <= options.keepBytes()) {
            kept.set(index, sample);
        } else {
            keptBytes.addAndGet(-b); // over budget: this one is read again next epoch
        }
    }

    private float[] buffer(int length) {
        for (float[] f; (f = spare.poll()) != null; ) {
            if (f.length == length) {
                return f;
            }
        }
        return new float[length];
    }

    private void skip(int index, String id, String reason) {
        skipped.computeIfAbsent(index, i -> new Skipped(options.split(), id, source.location(i), reason));
    }

    private static String message(Exception e) {
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }

    private static final class Workers implements ThreadFactory {
        private static final AtomicInteger POOLS = new AtomicInteger();
        private final int pool = POOLS.incrementAndGet();
        private final AtomicInteger count = new AtomicInteger();

        @Override
        public Thread newThread(Runnable r) {
            Thread t = new Thread(r, "convkit-loader-" + pool + "-" + count.incrementAndGet());
            t.setDaemon(true); // never keeps the JVM alive
            return t;
        }
    }
}
