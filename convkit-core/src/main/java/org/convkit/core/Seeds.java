package org.convkit.core;

import java.util.SplittableRandom;

/**
 * Where every random number of a run comes from: one {@code --seed} mixed with a position (the
 * batch number, the epoch and sample index) through SplitMix64's finalizer, so that what a batch
 * or a sample draws depends on where it is and not on what ran before. That is what makes a CPU
 * run repeat exactly, and a resumed run draw what an uninterrupted one would.
 */
public final class Seeds {
    private static final long GOLDEN = 0x9E3779B97F4A7C15L;

    private Seeds() {}

    /**
     * The seed of the tensor engine's generator for batch {@code number} of a run (Dropout): a
     * well-mixed non-negative 32-bit value. {@code number} -1 is the initial weights.
     */
    public static int forBatch(long seed, long number) {
        return (int) (spread(seed * GOLDEN + number) & 0x7fffffff);
    }

    /**
     * A 64-bit seed for a position of two levels: sample {@code minor} of epoch {@code major} (its
     * random transforms), an epoch itself with {@code minor} -1 (the order of its samples, shards
     * or cached features), a split of generated data.
     */
    public static long mix(long seed, long major, long minor) {
        return spread(seed * GOLDEN + major * 0xC2B2AE3D27D4EB4FL + minor * 0x165667B19E3779F9L);
    }

    /**
     * The seed of batch {@code number}'s mixing ({@code --mixup}, {@code --cutmix}): its share and
     * box. A stream of its own (minor -2: no sample has that index), so that turning mixing on
     * changes no other draw of the run.
     */
    public static long forMixing(long seed, long number) {
        return mix(seed, number, -2);
    }

    /**
     * The order of {@code n} items (samples, cached features) in training epoch {@code epoch}: a
     * Fisher-Yates shuffle drawn from {@link #mix mix(seed, epoch, -1)}, so consecutive epochs are
     * unrelated orders and a resumed run sees the order an uninterrupted one would.
     */
    public static int[] epochOrder(int n, long seed, long epoch) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        SplittableRandom rng = new SplittableRandom(mix(seed, epoch, -1));
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }

    /** SplitMix64's finalizer: every input bit reaches every output bit. */
    private static long spread(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
