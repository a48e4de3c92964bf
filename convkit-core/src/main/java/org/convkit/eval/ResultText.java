package org.convkit.eval;

import java.util.List;
import java.util.Locale;

/** An evaluation as a plain-text summary for the terminal. */
public final class ResultText {
    /** Above this many classes the confusion matrix is left to --json / confusion.csv. */
    public static final int MAX_CONFUSION = 20;

    private ResultText() {}

    public static String of(EvalResult r) {
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "%s %s", r.heads() > 1 ? "sequence accuracy" : "accuracy", pct(r.accuracy())));
        if (r.top5() != null) {
            s.append("  top-5 ").append(pct(r.top5()));
        }
        s.append(String.format(Locale.ROOT, "  loss %.4f  samples %d%n", r.loss(), r.samples()));
        if (r.heads() > 1) {
            s.append("per position:");
            for (int h = 0; h < r.heads(); h++) {
                s.append(' ').append(pct(r.positionAccuracy()[h]));
            }
            s.append('\n');
        }
        int w = Math.max(12, r.classes().stream().mapToInt(String::length).max().orElse(5));
        w = Math.min(w, 40);
        s.append('\n').append(String.format(Locale.ROOT, "%-" + w + "s %9s %9s %9s %8s%n", "class", "precision", "recall", "f1", "support"));
        for (ClassScore c : r.perClass()) {
            s.append(String.format(Locale.ROOT, "%-" + w + "s %9.4f %9.4f %9.4f %8d%n", cut(c.name(), w), c.precision(), c.recall(), c.f1(), c.support()));
        }
        s.append(String.format(Locale.ROOT, "%-" + w + "s %9.4f %9.4f %9.4f%n", "macro avg", r.macro().precision(), r.macro().recall(), r.macro().f1()));
        s.append(String.format(Locale.ROOT, "%-" + w + "s %9.4f %9.4f %9.4f%n", "weighted avg", r.weighted().precision(), r.weighted().recall(), r.weighted().f1()));
        s.append('\n');
        List<String> c = r.classes();
        if (c.size() > MAX_CONFUSION) {
            s.append("confusion matrix: ").append(c.size()).append(" classes, see --json\n");
            return s.toString();
        }
        s.append("confusion matrix (rows: true, columns: predicted; columns numbered as the rows)\n");
        int cw = 1;
        for (long[] row : r.confusion()) {
            for (long v : row) {
                cw = Math.max(cw, Long.toString(v).length());
            }
        }
        cw = Math.max(cw, Integer.toString(c.size() - 1).length());
        s.append(" ".repeat(w + 6));
        for (int p = 0; p < c.size(); p++) {
            s.append(String.format(Locale.ROOT, " %" + cw + "d", p));
        }
        s.append('\n');
        for (int t = 0; t < c.size(); t++) {
            s.append(String.format(Locale.ROOT, "%-" + w + "s %4d ", cut(c.get(t), w), t));
            for (long v : r.confusion()[t]) {
                s.append(String.format(Locale.ROOT, " %" + cw + "d", v));
            }
            s.append('\n');
        }
        return s.toString();
    }

    private static String pct(double v) {
        return String.format(Locale.ROOT, "%.2f%%", 100 * v);
    }

    private static String cut(String s, int w) {
        return s.length() <= w ? s : s.substring(0, w - 1) + "~";
    }
}
