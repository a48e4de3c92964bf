package org.convkit.transfer;

import java.io.IOException;
import java.util.List;
import java.util.stream.IntStream;
import org.convkit.core.Seeds;
import org.convkit.data.Batch;
import org.convkit.train.Batches;

/**
 * Cached backbone features as the Learner reads them: a training pass is a shuffle seeded by
 * (seed, epoch) with the last partial batch dropped, an evaluation pass every row once in order.
 * A batch holds rows shaped (features, 1, 1) (or the backbone's (C, H, W) when its output is a
 * map); the network, switched to feature input, hands them to its heads.
 */
final class FeatureBatches implements Batches {
    private final FeatureCache.Split split;
    private final FeatureCache.Rows rows;
    private final List<String> classes;
    private final int blank;
    private final int batchSize;
    private final boolean training;
    private final long seed;
    private final int channels;
    private final int height;
    private final int width;

    FeatureBatches(FeatureCache.Split split, List<String> classes, int blank, int batchSize, boolean training, long seed)
            throws IOException {
        this.split = split;
        this.rows = new FeatureCache.Rows(split);
        this.classes = List.copyOf(classes);
        this.blank = blank;
        this.batchSize = batchSize;
        this.training = training;
        this.seed = seed;
        long[] s = split.rowShape();
        this.channels = (int) s[0];
        this.height = s.length == 3 ? (int) s[1] : 1;
        this.width = s.length == 3 ? (int) s[2] : 1;
    }

    @Override
    public int batchCount() {
        return training ? split.rows() / batchSize : (split.rows() + batchSize - 1) / batchSize;
    }

    @Override
    public int sampleCount() {
        return split.rows();
    }

    @Override
    public List<String> classes() {
        return classes;
    }

    @Override
    public int heads() {
        return split.heads();
    }

    @Override
    public int blank() {
        return blank;
    }

    @Override
    public Pass open(int epoch, int first) {
        int[] order = order(epoch);
        return Pass.ofBatches(first, batchCount(), b -> batch(order, b));
    }

    /** Batch {@code b} of a pass in row order {@code order}. */
    private Batch batch(int[] order, int b) {
        int from = b * batchSize;
        int n = Math.min(batchSize, split.rows() - from);
        int size = split.rowSize();
        int k = split.heads();
        float[] data = new float[n * size];
        int[] labels = new int[n * k];
        String[] ids = new String[n];
        int[] indices = new int[n];
        for (int i = 0; i < n; i++) {
            int r = order[from + i];
            rows.copy(r, data, i * size);
            System.arraycopy(split.labels(), r * k, labels, i * k, k);
            ids[i] = split.ids()[r];
            indices[i] = split.indices()[r];
        }
        return new Batch(data, n, channels, height, width, labels, k, ids, indices);
    }

    /** Row order of pass {@code epoch}: Fisher-Yates seeded by (seed, epoch) when training. */
    private int[] order(int epoch) {
        return training ? Seeds.epochOrder(split.rows(), seed, epoch) : IntStream.range(0, split.rows()).toArray();
    }
}
