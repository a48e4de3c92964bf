package org.convkit.train.lrfind;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * The learning rate a finished range test suggests, robust to the noisy losses of small batches.
 *
 * <p>Three rules read the smoothed loss (as fastai offers them): the <b>steepest</b> descent (per
 * decade of learning rate, over a window of steps), the <b>valley</b> (fastai's default since
 * 2.4: the longest stretch where the loss keeps falling, two thirds of the way down it) and the
 * <b>minimum / 10</b> (fastai's old {@code lr_min}). A rule's answer counts only when it lies
 * inside the sweep, away from both ends (an answer at the first steps means the loss never fell;
 * one at the last means it was still falling or already blowing up), and only when the loss
 * really fell: the smoothed minimum must lie clearly below the starting level, by more than the
 * batch-to-batch noise of the first steps. When at least two rules agree within a factor of
 * {@link #AGREE} the suggestion is their geometric mean; otherwise there is no good answer and
 * the suggestion is NaN, with the reason, so the caller falls back to a safe default instead of
 * training with nonsense (a noisy flat curve whose smoothed minimum is its first step once made
 * minimum/10 suggest 1e-8, below the sweep itself).
 */
public final class LrSuggestion {
    /** Two rules agree when their answers are within this factor. */
    static final double AGREE = 10;

    private LrSuggestion() {}

    /** One rule's answer: its learning rate (NaN = none) and why it was kept or dropped. */
    public record Rule(String name, double lr, String note) {
        boolean valid() {
            return Double.isFinite(lr);
        }
    }

    /**
     * What the rules found.
     *
     * @param lr the suggestion, or NaN when there is no good answer
     * @param reason one line: how {@code lr} was chosen, or why there is none
     * @param minimum the learning rate of the smallest smoothed loss
     * @param steepest the learning rate of the steepest descent (NaN when the loss never fell)
     * @param rules each rule's answer
     */
    public record Answer(double lr, String reason, double minimum, double steepest, List<Rule> rules) {
        public boolean found() {
            return Double.isFinite(lr);
        }
    }

    /** The suggestion for the finite prefix of {@code points} (lr, loss, smoothed loss per step). */
    public static Answer of(List<LrFinder.Point> points) {
        int n = 0;
        while (n < points.size() && Double.isFinite(points.get(n).smoothed())) {
            n++;
        }
        double[] lr = new double[n];
        double[] raw = new double[n];
        double[] s = new double[n];
        for (int i = 0; i < n; i++) {
            lr[i] = points.get(i).lr();
            raw[i] = points.get(i).loss();
            s[i] = points.get(i).smoothed();
        }
        if (n < 10) {
            return new Answer(Double.NaN, "no good answer: only " + n + " usable steps (at least 10 are needed)",
                    Double.NaN, Double.NaN, List.of());
        }
        // as fastai's suggestion functions: the first tenth (the moving average has not settled)
        // and the last 5 steps (the blow-up) are left out
        int from = n / 10;
        int to = n - 5;
        int min = from;
        for (int i = from + 1; i < to; i++) {
            if (s[i] < s[min]) {
                min = i;
            }
        }
        double minimum = lr[min];
        // the starting level and its noise: raw losses of the first tenth of the sweep, where the
        // learning rate is too small to change anything
        int head = Math.max(5, n / 10);
        double[] first = java.util.Arrays.copyOf(raw, head);
        double level = median(first);
        double noise = 1.4826 * median(absDeviation(first, level)); // a robust standard deviation
        double drop = level - s[min];
        // the smoothed loss must end clearly below where the batches started: by 5% and by twice the
        // batch-to-batch noise. Laxer bounds (3%, half the noise) let through sweeps on 2,000 CIFAR
        // cats and dogs and on flowers128 whose answers (3e-4, 1e-3) trained far worse with SGD than
        // the safe default 0.01 (bench/RESULTS.md, "First try on own photos")
        double needed = Math.max(0.05 * Math.abs(level), 2 * noise);
        // answers must lie inside the sweep: at least one step and 5% of it away from either end
        int edge = Math.max(2, n / 20);
        double low = lr[edge];
        double high = lr[n - 1 - edge];

        int steepestAt = steepest(lr, s, from, min);
        double steepest = steepestAt < 0 ? Double.NaN : lr[steepestAt];
        List<Rule> rules = new ArrayList<>();
        rules.add(inside("steepest", steepest, low, high));
        int valleyAt = valley(java.util.Arrays.copyOfRange(s, from, to));
        valleyAt = valleyAt < 0 ? -1 : valleyAt + from;
        rules.add(inside("valley", valleyAt < 0 ? Double.NaN : lr[valleyAt], low, high));
        rules.add(inside("minimum/10", lr[min] / 10, low, high));
        String found = rules.stream().map(r -> r.name() + " " + (r.valid() ? fmt(r.lr()) : r.note()))
                .reduce((a, b) -> a + ", " + b).orElse("");
        if (!(drop > needed)) {
            return new Answer(Double.NaN, String.format(Locale.ROOT, "no good answer: the loss never clearly fell"
                    + " (from %.3g to at best %.3g, batch-to-batch noise %.2g)", level, s[min], noise), minimum,
                    steepest, rules);
        }
        List<Rule> valid = rules.stream().filter(Rule::valid).sorted(Comparator.comparingDouble(Rule::lr)).toList();
        // the largest group of answers within AGREE of each other (answers sorted by lr)
        int bestFrom = 0;
        int bestTo = 0;
        for (int i = 0; i < valid.size(); i++) {
            int j = i;
            while (j + 1 < valid.size() && valid.get(j + 1).lr() <= valid.get(i).lr() * AGREE) {
                j++;
            }
            if (j - i > bestTo - bestFrom) {
                bestFrom = i;
                bestTo = j;
            }
        }
        if (valid.size() < 2 || bestTo == bestFrom) {
            return new Answer(Double.NaN, "no good answer: the rules disagree (" + found + ")", minimum, steepest,
                    rules);
        }
        double logSum = 0;
        List<String> names = new ArrayList<>();
        for (int i = bestFrom; i <= bestTo; i++) {
            logSum += Math.log(valid.get(i).lr());
            names.add(valid.get(i).name());
        }
        double suggestion = Math.exp(logSum / (bestTo - bestFrom + 1));
        return new Answer(suggestion, String.join(", ", names) + " agree (" + found + ")", minimum, steepest, rules);
    }

    private static Rule inside(String name, double lr, double low, double high) {
        if (!Double.isFinite(lr)) {
            return new Rule(name, Double.NaN, "none");
        }
        if (lr < low) {
            return new Rule(name, Double.NaN, fmt(lr) + " dropped: at the start of the sweep");
        }
        if (lr > high) {
            return new Rule(name, Double.NaN, fmt(lr) + " dropped: at the end of the sweep");
        }
        return new Rule(name, lr, "");
    }

    /**
     * The step where the smoothed loss falls fastest per decade, over a window of a few steps on
     * each side (single steps are noise), before the minimum; -1 when it never falls.
     */
    static int steepest(double[] lr, double[] s, int from, int min) {
        int w = Math.max(1, s.length / 15);
        int at = -1;
        double slope = 0;
        for (int i = Math.max(w, from); i + w <= min; i++) {
            double d = (s[i + w] - s[i - w]) / (Math.log10(lr[i + w]) - Math.log10(lr[i - w]));
            if (d < slope) {
                slope = d;
                at = i;
            }
        }
        return at;
    }

    /**
     * fastai's {@code valley}: the longest decreasing subsequence of the smoothed loss, and the
     * step two thirds of the way (a third plus a sixth of its length) from its start to its end;
     * -1 when it has fewer than 3 steps.
     */
    static int valley(double[] s) {
        int n = s.length;
        int[] lds = new int[n];
        java.util.Arrays.fill(lds, 1);
        int maxStart = 0;
        int maxEnd = 0;
        for (int i = 1; i < n; i++) {
            for (int j = 0; j < i; j++) {
                if (s[i] < s[j] && lds[i] < lds[j] + 1) {
                    lds[i] = lds[j] + 1;
                }
            }
            if (lds[maxEnd] < lds[i]) {
                maxEnd = i;
                maxStart = maxEnd - lds[maxEnd];
            }
        }
        if (lds[maxEnd] < 3) {
            return -1;
        }
        int sections = (maxEnd - maxStart) / 3;
        return Math.max(0, maxStart + sections + sections / 2);
    }

    private static double median(double[] v) {
        double[] c = v.clone();
        java.util.Arrays.sort(c);
        int m = c.length / 2;
        return c.length % 2 == 1 ? c[m] : (c[m - 1] + c[m]) / 2;
    }

    private static double[] absDeviation(double[] v, double center) {
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            d[i] = Math.abs(v[i] - center);
        }
        return d;
    }

    static String fmt(double lr) {
        return String.format(Locale.ROOT, "%.3g", lr);
    }
}
