package org.convkit.bench;

import java.util.List;
import org.convkit.data.Batch;
import org.convkit.data.Loader;
import org.convkit.train.Batches;

/**
 * The Learner's view of a {@link Loader}: one pass = one loader epoch. Bench-only stand-in until
 * the trainer ships its own adapter; it never skips ahead (the bench does not resume).
 */
final class LoaderBatches implements Batches {
    private final Loader loader;

    LoaderBatches(Loader loader) {
        this.loader = loader;
    }

    @Override
    public int batchCount() {
        return loader.batchesPerEpoch();
    }

    @Override
    public int sampleCount() {
        return loader.source().size();
    }

    @Override
    public List<String> classes() {
        return loader.source().classes();
    }

    @Override
    public Pass open(int epoch, int first) {
        Loader.Epoch it = loader.epoch(epoch);
        return new Pass() {
            @Override
            public boolean hasNext() {
                return it.hasNext();
            }

            @Override
            public Batch next() {
                return it.next();
            }

            @Override
            public void close() {
                it.close();
            }
        };
    }
}
