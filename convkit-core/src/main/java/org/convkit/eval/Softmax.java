package org.convkit.eval;

/** Softmax of one row of scores, in double precision with the max subtracted (no overflow). */
public final class Softmax {
    private Softmax() {}

    /** Probabilities of {@code x[from .. from+n)}. */
    public static double[] of(float[] x, int from, int n) {
        double max = Double.NEGATIVE_INFINITY;
        for (int j = from; j < from + n; j++) {
            max = Math.max(max, x[j]);
        }
        double[] p = new double[n];
        double sum = 0;
        for (int j = 0; j < n; j++) {
            p[j] = Math.exp(x[from + j] - max);
            sum += p[j];
        }
        for (int j = 0; j < n; j++) {
            p[j] /= sum;
        }
        return p;
    }

    /** Index of the largest value (the first on ties, as torch.argmax). */
    public static int argmax(double[] p) {
        int best = 0;
        for (int j = 1; j < p.length; j++) {
            if (p[j] > p[best]) {
                best = j;
            }
        }
        return best;
    }
}
