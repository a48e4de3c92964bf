package org.convkit.train;

import java.util.List;
import org.convkit.data.Batch;
import org.convkit.data.load.Loader;

/**
 * A {@link Loader} as the Learner reads it. The loader's epochs are reproducible (order and
 * augmentation seeded by epoch), so a pass opened at batch {@code first} is the full pass with its
 * first batches passed over; they are decoded and dropped, which costs a little decoding, never
 * training.
 */
public final class LoaderBatches implements Batches {
    private final Loader loader;
    private final List<String> classes;
    private final int heads;
    private final int blank;

    public LoaderBatches(Loader loader, List<String> classes, int heads, int blank) {
        this.loader = loader;
        this.classes = List.copyOf(classes);
        this.heads = heads;
        this.blank = blank;
    }

    public Loader loader() {
        return loader;
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
        return classes;
    }

    @Override
    public int heads() {
        return heads;
    }

    @Override
    public int blank() {
        return blank;
    }

    @Override
    public Pass open(int epoch, int first) {
        Loader.Epoch it = loader.epoch(epoch);
        for (int i = 0; i < first && it.hasNext(); i++) {
            loader.recycle(it.next());
        }
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
            public void recycle(Batch b) {
                loader.recycle(b);
            }

            @Override
            public void close() {
                it.close();
            }
        };
    }
}
