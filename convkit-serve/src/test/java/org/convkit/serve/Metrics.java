package org.convkit.serve;

/** Reads one sample out of Prometheus' text format. */
final class Metrics {
    private Metrics() {}

    /** The value of the sample named exactly {@code nameAndLabels}, or 0 when it is not there (a counter not yet touched). */
    static double value(String text, String nameAndLabels) {
        for (String line : text.split("\n")) {
            if (line.startsWith(nameAndLabels + " ")) {
                return Double.parseDouble(line.substring(nameAndLabels.length() + 1).trim().split(" ")[0]);
            }
        }
        return 0;
    }
}
