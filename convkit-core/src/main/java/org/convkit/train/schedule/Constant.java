package org.convkit.train.schedule;

/** The base learning rate throughout. */
public record Constant() implements Schedule {
    @Override
    public double lrFactor(long step) {
        return 1;
    }

    @Override
    public String describe() {
        return "constant";
    }
}
