package org.convkit.train;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.convkit.data.Batch;
import org.convkit.model.ConvNet;
import org.convkit.model.ModelOptions;
import org.convkit.model.Zoo;

/** Small networks and in-memory data for Learner tests. */
final class Tiny {
    private Tiny() {}

    /**
     * The zoo's simplecnn shrunk: Conv-BN-ReLU-MaxPool, a hidden Linear with Dropout, the head;
     * the layers whose training/eval mode matters, and a zoo name checkpoints can rebuild.
     */
    static ConvNet net(int channels, int size, int classes) {
        ModelOptions o = Zoo.get("simplecnn").defaults().withInput(channels, size, size).withClasses(classes)
                .withArch("6").withFc("16").withDropout(0.2);
        return Zoo.create("simplecnn", o);
    }

    /**
     * A learnable toy problem: class k has a bright blob in quadrant k (4 classes), plus noise.
     * Deterministic for a seed.
     */
    static ArrayBatches quadrants(int samples, int size, int batchSize, boolean shuffle, long seed) {
        Random r = new Random(seed);
        int n = size * size;
        float[][] x = new float[samples][n];
        int[] y = new int[samples];
        for (int i = 0; i < samples; i++) {
            int k = r.nextInt(4);
            y[i] = k;
            int ox = (k % 2) * size / 2;
            int oy = (k / 2) * size / 2;
            for (int p = 0; p < n; p++) {
                int px = p % size;
                int py = p / size;
                boolean in = px >= ox && px < ox + size / 2 && py >= oy && py < oy + size / 2;
                x[i][p] = (float) ((in ? 0.8 : 0.0) + 0.5 * r.nextGaussian());
            }
        }
        return new ArrayBatches(x, y, size, batchSize, shuffle, seed, List.of("a", "b", "c", "d"));
    }

    /** In-memory batches: the epoch's order is a shuffle seeded by (seed, epoch), as the Loader's. */
    static final class ArrayBatches implements Batches {
        private final float[][] x;
        private final int[] y;
        private final int size;
        private final int batchSize;
        private final boolean shuffle;
        private final long seed;
        private final List<String> classes;
        int opened;

        ArrayBatches(float[][] x, int[] y, int size, int batchSize, boolean shuffle, long seed, List<String> classes) {
            this.x = x;
            this.y = y;
            this.size = size;
            this.batchSize = batchSize;
            this.shuffle = shuffle;
            this.seed = seed;
            this.classes = classes;
        }

        @Override
        public int batchCount() {
            return (x.length + batchSize - 1) / batchSize;
        }

        @Override
        public int sampleCount() {
            return x.length;
        }

        @Override
        public List<String> classes() {
            return classes;
        }

        @Override
        public Pass open(int epoch, int first) {
            opened++;
            List<Integer> order = new ArrayList<>();
            for (int i = 0; i < x.length; i++) {
                order.add(i);
            }
            if (shuffle) {
                java.util.Collections.shuffle(order, new Random(seed * 1000 + epoch));
            }
            return Pass.ofBatches(first, batchCount(), b -> {
                int from = b * batchSize;
                int to = Math.min(x.length, from + batchSize);
                int n = to - from;
                float[] data = new float[n * size * size];
                int[] labels = new int[n];
                String[] ids = new String[n];
                int[] idx = new int[n];
                for (int i = 0; i < n; i++) {
                    int s = order.get(from + i);
                    System.arraycopy(x[s], 0, data, i * size * size, size * size);
                    labels[i] = y[s];
                    ids[i] = "s" + s;
                    idx[i] = s;
                }
                return new Batch(data, n, 1, size, size, labels, 1, ids, idx);
            });
        }
    }
}
