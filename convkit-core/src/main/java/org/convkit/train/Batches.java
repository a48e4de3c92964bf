package org.convkit.train;

import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.function.IntFunction;
import org.convkit.data.Batch;

/**
 * One split as the Learner reads it: passes of batches, reproducible per epoch.
 *
 * <p>Opening the same epoch twice must give the same batches in the same order (shuffling and
 * augmentation seeded by epoch), and opening at batch {@code first} must give what the full pass
 * gives from there on: that is what makes a resumed run end exactly like an uninterrupted one.
 * Evaluation passes must hold every sample exactly once, unaugmented.
 */
public interface Batches {
    /** Batches in one pass. */
    int batchCount();

    /** Samples in one pass. */
    int sampleCount();

    /** Class names, index = label (for sequences including the blank). */
    List<String> classes();

    /** Labels per sample (K heads; 1 for plain classification). */
    default int heads() {
        return 1;
    }

    /** The blank class of digit sequences, or -1. */
    default int blank() {
        return -1;
    }

    /**
     * Starts pass {@code epoch} (0-based) at batch {@code first}.
     *
     * @param first batches to leave out at the start (0 = the whole pass), without decoding them
     */
    Pass open(int epoch, int first);

    /** A pass in progress; closing it stops its worker threads. */
    interface Pass extends Iterator<Batch>, AutoCloseable {
        /** Hands a batch back once its pixels were copied (lets the loader reuse the buffer). */
        default void recycle(Batch b) {}

        @Override
        void close();

        /**
         * Batches {@code first} to {@code count - 1}, each made when asked by {@code batch} (given
         * its index in the pass): for data already in memory, where nothing runs ahead and
         * closing has nothing to stop.
         */
        static Pass ofBatches(int first, int count, IntFunction<Batch> batch) {
            return new Pass() {
                private int next = first;

                @Override
                public boolean hasNext() {
                    return next < count;
                }

                @Override
                public Batch next() {
                    if (!hasNext()) {
                        throw new NoSuchElementException("the pass has " + count + " batches");
                    }
                    return batch.apply(next++);
                }

                @Override
                public void close() {}
            };
        }
    }
}
