package org.convkit.train.schedule;

/**
 * The learning rate (and, for one-cycle, the momentum) as a function of the optimizer step.
 *
 * <p>A schedule is a pure function of the step, so its whole state is the step count: resuming
 * from a checkpoint needs nothing else. Values are factors of the base (peak) learning rate;
 * param groups scale them further.
 */
public interface Schedule {
    /** The learning-rate factor for optimizer step {@code step} (0 = the first step). */
    double lrFactor(long step);

    /** The momentum for step {@code step}, or NaN to leave the optimizer's own. */
    default double momentum(long step) {
        return Double.NaN;
    }

    /** One line for the run log, e.g. "onecycle(total=2345, pct_start=0.3)". */
    String describe();
}
