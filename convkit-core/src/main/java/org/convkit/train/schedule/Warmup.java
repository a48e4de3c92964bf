package org.convkit.train.schedule;

/**
 * A linear warm-up in front of another schedule: its factor times {@code
 * torch.optim.lr_scheduler.LinearLR(start_factor, total_iters=steps)}, i.e. {@code start + (1 -
 * start) * min(t, steps) / steps}. Large learning rates are stable once the early, badly scaled
 * steps are behind.
 */
public record Warmup(Schedule after, long steps, double startFactor) implements Schedule {
    /** The start factor used when none is given: 1% of the base rate. */
    public static final double DEFAULT_START = 0.01;

    @Override
    public double lrFactor(long step) {
        double ramp = steps <= 0 ? 1 : startFactor + (1 - startFactor) * Math.min(step, steps) / (double) steps;
        return ramp * after.lrFactor(step);
    }

    @Override
    public double momentum(long step) {
        return after.momentum(step);
    }

    @Override
    public String describe() {
        return "warmup(" + steps + " steps) + " + after.describe();
    }
}
