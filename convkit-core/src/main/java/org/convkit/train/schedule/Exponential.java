package org.convkit.train.schedule;

import java.util.Locale;

/**
 * A learning rate growing exponentially from the base to {@code ratio} times it over {@code steps}
 * optimizer steps (the learning-rate range test's sweep).
 */
public record Exponential(double ratio, int steps) implements Schedule {
    @Override
    public double lrFactor(long step) {
        return Math.pow(ratio, step / (double) (steps - 1));
    }

    @Override
    public String describe() {
        return String.format(Locale.ROOT, "exponential(x%.3g over %d steps)", ratio, steps);
    }
}
