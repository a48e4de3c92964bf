package org.convkit.train.schedule;

/**
 * {@code torch.optim.lr_scheduler.StepLR}: the rate is multiplied by {@code gamma} every {@code
 * stepSize} steps.
 */
public record StepDecay(long stepSize, double gamma) implements Schedule {
    public StepDecay {
        if (stepSize < 1) {
            throw new IllegalArgumentException("step size " + stepSize + " < 1");
        }
    }

    @Override
    public double lrFactor(long step) {
        return Math.pow(gamma, step / stepSize);
    }

    @Override
    public String describe() {
        return "step(every " + stepSize + " steps x" + gamma + ")";
    }
}
