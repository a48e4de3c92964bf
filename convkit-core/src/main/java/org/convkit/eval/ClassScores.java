package org.convkit.eval;

import java.util.ArrayList;
import java.util.List;
import java.util.function.ToLongFunction;

/**
 * Per-class precision / recall / F1 and their averages, computed from a confusion matrix only, so
 * the report can recompute them from {@code confusion.csv}.
 *
 * <p>Definitions as in scikit-learn's {@code precision_recall_fscore_support}: a ratio with a zero
 * denominator is 0; the macro and weighted averages run over the classes that occur in the truth
 * or in the predictions (a class never seen and never predicted says nothing about the model).
 */
public final class ClassScores {
    private ClassScores() {}

    /** One score per class, in class order. {@code confusion[t][p]} counts true t predicted p. */
    public static List<ClassScore> of(long[][] confusion, List<String> classes) {
        int c = confusion.length;
        long[] predicted = new long[c];
        for (long[] row : confusion) {
            for (int p = 0; p < c; p++) {
                predicted[p] += row[p];
            }
        }
        List<ClassScore> out = new ArrayList<>(c);
        for (int k = 0; k < c; k++) {
            long support = 0;
            for (long v : confusion[k]) {
                support += v;
            }
            long tp = confusion[k][k];
            double precision = ratio(tp, predicted[k]);
            double recall = ratio(tp, support);
            double f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
            out.add(new ClassScore(classes.get(k), support, predicted[k], precision, recall, f1));
        }
        return out;
    }

    /** Unweighted mean over the classes that occur (in truth or prediction). */
    public static Averages macro(List<ClassScore> scores) {
        return mean(scores, s -> s.support() > 0 || s.predicted() > 0 ? 1 : 0);
    }

    /** Mean weighted by support (the number of true samples per class). */
    public static Averages weighted(List<ClassScore> scores) {
        return mean(scores, ClassScore::support);
    }

    private static Averages mean(List<ClassScore> scores, ToLongFunction<ClassScore> weight) {
        double p = 0;
        double r = 0;
        double f = 0;
        long n = 0;
        for (ClassScore s : scores) {
            long w = weight.applyAsLong(s);
            p += s.precision() * w;
            r += s.recall() * w;
            f += s.f1() * w;
            n += w;
        }
        return n == 0 ? new Averages(0, 0, 0) : new Averages(p / n, r / n, f / n);
    }

    private static double ratio(long num, long den) {
        return den == 0 ? 0 : (double) num / den;
    }
}
