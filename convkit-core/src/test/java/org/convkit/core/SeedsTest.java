package org.convkit.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.Arrays;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** An epoch's order, the one the loader and cached features both take. */
class SeedsTest {

    @Test
    void anEpochOrderIsAPermutationFixedBySeedAndEpoch() {
        int[] order = Seeds.epochOrder(10, 42, 3);
        // as the loader drew it before the order had a home of its own: a resumed run's batches depend on it
        assertArrayEquals(new int[] {6, 4, 8, 5, 3, 7, 1, 2, 0, 9}, order);
        assertArrayEquals(IntStream.range(0, 1000).toArray(), IntStream.of(Seeds.epochOrder(1000, 7, 0)).sorted().toArray());
        assertFalse(Arrays.equals(order, Seeds.epochOrder(10, 42, 4)), "another epoch, another order");
        assertFalse(Arrays.equals(order, Seeds.epochOrder(10, 43, 3)), "another seed, another order");
        assertArrayEquals(new int[0], Seeds.epochOrder(0, 42, 0));
    }
}
