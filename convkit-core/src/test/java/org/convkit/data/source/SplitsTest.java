package org.convkit.data.source;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class SplitsTest {
    /** 3 classes of 100, 37 and 5 samples, interleaved. */
    private static String[] keys() {
        String[] k = new String[142];
        for (int i = 0; i < k.length; i++) {
            k[i] = i % 3 == 0 && i < 15 ? "c" : i % 2 == 0 ? "a" : "b";
        }
        return k;
    }

    @Test
    void eachClassKeepsItsShareAndTheTotalIsExact() {
        String[] k = keys();
        Splits.Split s = Splits.stratified(k, 0.1, 7);
        assertEquals((int) Math.floor(k.length * 0.1), s.valid().length);
        assertEquals(k.length, s.valid().length + s.train().length);
        Set<Integer> all = new HashSet<>();
        Arrays.stream(s.train()).forEach(all::add);
        Arrays.stream(s.valid()).forEach(all::add);
        assertEquals(k.length, all.size(), "train and valid are disjoint and cover everything");
        for (String c : new String[] {"a", "b", "c"}) {
            long n = Arrays.stream(k).filter(c::equals).count();
            long v = Arrays.stream(s.valid()).filter(i -> k[i].equals(c)).count();
            assertTrue(Math.abs(v - n * 0.1) <= 1.0, c + ": " + v + " of " + n);
        }
    }

    @Test
    void sameSeedSameSplitOtherSeedOtherSplit() throws Exception {
        String[] k = keys();
        Splits.Split a = Splits.stratified(k, 0.2, 3);
        // computed on other threads at the same time: no shared state, same answer
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            Future<Splits.Split> b = pool.submit(() -> Splits.stratified(k, 0.2, 3));
            Future<Splits.Split> c = pool.submit(() -> Splits.stratified(k, 0.2, 3));
            assertArrayEquals(a.valid(), b.get().valid());
            assertArrayEquals(a.valid(), c.get().valid());
        } finally {
            pool.shutdown();
        }
        assertFalse(Arrays.equals(a.valid(), Splits.stratified(k, 0.2, 4).valid()));
    }

    @Test
    void zeroFractionKeepsEverythingInTrain() {
        Splits.Split s = Splits.stratified(keys(), 0.0, 1);
        assertEquals(0, s.valid().length);
        assertEquals(142, s.train().length);
    }
}
