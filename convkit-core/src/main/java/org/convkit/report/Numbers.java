package org.convkit.report;

import java.util.Locale;

/** How reports and tables print numbers: fixed decimals, dot as separator, "n/a" for missing. */
public final class Numbers {
    private Numbers() {}

    /** 0.9123 -> "91.23%". */
    public static String pct(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.2f%%", 100 * v) : "n/a";
    }

    public static String num(double v, int decimals) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%." + decimals + "f", v) : "n/a";
    }
}
