package org.convkit.eval;

import java.util.Locale;

/**
 * The accuracy a model gets for free by always answering the largest class: a run that does not
 * beat it has learned nothing useful, whatever its accuracy looks like (47% on two classes of
 * 54% and 46% is worse than that), and should say so.
 */
public final class Baseline {
    /** A model must beat the largest class's share by at least this much (0.5 points) to count as better. */
    static final double MARGIN = 0.005;

    private Baseline() {}

    /**
     * The largest class of an evaluation and its share of the samples.
     *
     * @param index class index
     * @param name class name
     * @param share samples of that class / all samples
     */
    public record Majority(int index, String name, double share) {}

    /** The largest class among the true labels of {@code r} (one head), or null (sequences, no samples). */
    public static Majority majority(EvalResult r) {
        if (r.heads() != 1 || r.confusion() == null || r.samples() == 0) {
            return null;
        }
        long[][] c = r.confusion();
        long total = 0;
        int best = -1;
        long bestCount = -1;
        for (int t = 0; t < c.length; t++) {
            long n = 0;
            for (long v : c[t]) {
                n += v;
            }
            total += n;
            if (n > bestCount) {
                bestCount = n;
                best = t;
            }
        }
        return total == 0 ? null : new Majority(best, r.classes().get(best), bestCount / (double) total);
    }

    /**
     * One sentence when {@code r}'s accuracy is no better than always answering its largest class,
     * else null.
     */
    public static String warning(EvalResult r) {
        Majority m = majority(r);
        if (m == null || r.accuracy() > m.share() + MARGIN) {
            return null;
        }
        return String.format(Locale.ROOT, "warning: accuracy %.1f%% is no better than always answering the largest"
                + " class (%s, %.1f%% of these images): the model has not learned to tell the classes apart. Try a"
                + " lower --lr (or --lr auto), more epochs, or a smaller --model.", 100 * r.accuracy(), m.name(),
                100 * m.share());
    }
}
