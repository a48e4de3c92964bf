package org.convkit.data.source;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.convkit.data.ImageSource;

/**
 * Holds out a validation part of a training split: stratified (each class, or each label
 * sequence, keeps its share) and deterministic (same seed, same split; computed on one thread
 * from labels alone, so the loader's thread count never changes it).
 */
public final class Splits {
    private Splits() {}

    /** Sample indices of the two parts, each in increasing order. */
    public record Split(int[] train, int[] valid) {}

    /**
     * Orders the samples by label (ties in a seeded random order), then takes every
     * (1/fraction)-th position for validation: each class gets its share to within one sample,
     * and classes too small for a share of their own are spread evenly, so the total is exactly
     * floor(n * fraction).
     *
     * @param fraction in [0, 1)
     */
    public static Split stratified(ImageSource source, double fraction, long seed) throws IOException {
        int n = source.size();
        String[] keys = new String[n];
        for (int i = 0; i < n; i++) {
            keys[i] = Arrays.toString(source.labels(i));
        }
        return stratified(keys, fraction, seed);
    }

    /** The same, over label keys (one string per sample; equal keys = same stratum). */
    public static Split stratified(String[] keys, double fraction, long seed) {
        int n = keys.length;
        List<Integer> order = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            order.add(i);
        }
        java.util.Collections.shuffle(order, new Random(seed));
        // stable sort: within a stratum the shuffled order stays
        order.sort(Comparator.comparing(i -> keys[i]));
        // m validation samples in all; integer arithmetic so no rounding decides membership
        long m = (long) Math.floor(n * fraction + 1e-9);
        boolean[] valid = new boolean[n];
        int nValid = 0;
        for (int pos = 0; pos < n; pos++) {
            // position pos is picked when floor((pos+1)*m/n) steps past floor(pos*m/n)
            if ((pos + 1) * m / n > pos * m / n) {
                valid[order.get(pos)] = true;
                nValid++;
            }
        }
        int[] v = new int[nValid];
        int[] t = new int[n - nValid];
        int vi = 0;
        int ti = 0;
        for (int i = 0; i < n; i++) {
            if (valid[i]) {
                v[vi++] = i;
            } else {
                t[ti++] = i;
            }
        }
        return new Split(t, v);
    }
}
