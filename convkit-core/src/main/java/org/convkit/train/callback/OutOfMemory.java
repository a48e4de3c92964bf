package org.convkit.train.callback;

import java.util.Locale;
import java.util.regex.Pattern;
import org.convkit.train.Callback;
import org.convkit.train.Learner;
import org.convkit.train.TrainingStopped;

/**
 * Turns an out-of-memory failure into a message that says which batch size failed and what to
 * try, instead of a native stack trace. libtorch reports it as "DefaultCPUAllocator: not enough
 * memory" / "can't allocate memory" (CPU) or "CUDA out of memory" (GPU); the JVM as an
 * OutOfMemoryError (the heap, where batches are assembled).
 */
public final class OutOfMemory implements Callback {
    // oneDNN says "could not create a primitive" when the memory for a convolution's primitive
    // cannot be had: seen under a 4 GB address-space limit at the same step where libtorch's own
    // allocator says "not enough memory" in other runs
    private static final Pattern NATIVE = Pattern.compile(
            "not enough memory|can't allocate memory|out of memory|Cannot allocate memory|bad_alloc"
                    + "|could not create a primitive",
            Pattern.CASE_INSENSITIVE);

    private final int batchSize;
    private final int gradAccum;
    private final String input;

    /**
     * @param batchSize the configured batch size
     * @param gradAccum the configured gradient accumulation
     * @param input the model input, "CxHxW", for the message
     */
    public OutOfMemory(int batchSize, int gradAccum, String input) {
        this.batchSize = batchSize;
        this.gradAccum = gradAccum;
        this.input = input;
    }

    @Override
    public RuntimeException onError(Learner learner, BatchEnd where, RuntimeException error) {
        boolean heap = hasCause(error, OutOfMemoryError.class);
        if (!heap && !isNative(error)) {
            return error;
        }
        int smaller = Math.max(1, batchSize / 2);
        String what = heap ? "the Java heap ran out" : "the engine could not allocate memory";
        String advice = batchSize > 1
                ? String.format(Locale.ROOT, "try --batch-size %d (with --grad-accum %d to keep the effective batch"
                        + " of %d), a smaller --image-size", smaller, gradAccum * 2, batchSize * gradAccum)
                : "try a smaller --image-size or a smaller model";
        if (heap) {
            advice += ", fewer --workers, or a larger heap (CONVKIT_JAVA_OPTS=-Xmx8g)";
        }
        return new TrainingStopped(String.format(Locale.ROOT,
                "out of memory: %s training batch size %d (input %s) at epoch %d, batch %d/%d; %s.",
                what, batchSize, input, where.epoch() + 1, where.batch() + 1, where.batches(), advice), error);
    }

    static boolean isNative(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c.getMessage() != null && NATIVE.matcher(c.getMessage()).find()) {
                return true;
            }
        }
        return false;
    }

    private static boolean hasCause(Throwable t, Class<? extends Throwable> type) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (type.isInstance(c)) {
                return true;
            }
        }
        return false;
    }
}
