package org.convkit.train.schedule;

/**
 * {@code torch.optim.lr_scheduler.CosineAnnealingLR} over {@code total} steps (its closed form):
 * {@code min + (1 - min) * (1 + cos(pi * t / total)) / 2}, with {@code min} a factor of the base.
 */
public record Cosine(long total, double minFactor) implements Schedule {
    public Cosine {
        if (total < 1) {
            throw new IllegalArgumentException("total steps " + total + " < 1");
        }
    }

    @Override
    public double lrFactor(long step) {
        return minFactor + (1 - minFactor) * (1 + Math.cos(Math.PI * step / total)) / 2;
    }

    @Override
    public String describe() {
        return "cosine(total=" + total + " steps)";
    }
}
