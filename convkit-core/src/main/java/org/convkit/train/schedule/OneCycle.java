package org.convkit.train.schedule;

/**
 * The one-cycle policy (Smith 2018) with {@code torch.optim.lr_scheduler.OneCycleLR}'s semantics
 * (two phases, cosine annealing): the rate climbs from {@code 1/divFactor} of the peak to the peak
 * over the first {@code pctStart} of the steps, then falls to {@code 1/(divFactor *
 * finalDivFactor)}; the momentum moves the other way, from {@code maxMomentum} down to {@code
 * baseMomentum} and back.
 *
 * @param total optimizer steps of the whole run (torch's total_steps)
 * @param pctStart share of the steps spent climbing (torch: 0.3)
 * @param divFactor peak / initial rate (torch: 25)
 * @param finalDivFactor initial / final rate (torch: 1e4)
 * @param baseMomentum lowest momentum, at the peak rate (torch: 0.85)
 * @param maxMomentum highest momentum, at the ends (torch: 0.95)
 * @param cycleMomentum whether momentum moves at all
 */
public record OneCycle(long total, double pctStart, double divFactor, double finalDivFactor, double baseMomentum,
        double maxMomentum, boolean cycleMomentum) implements Schedule {

    public OneCycle {
        if (total < 1) {
            throw new IllegalArgumentException("total steps " + total + " < 1");
        }
        if (!(pctStart > 0 && pctStart < 1)) {
            throw new IllegalArgumentException("pct_start " + pctStart + " not in (0, 1)");
        }
    }

    /** torch's defaults. */
    public static OneCycle of(long total) {
        return withWarmup(total, 0.3);
    }

    /** torch's defaults with the climbing share {@code pctStart}. */
    public static OneCycle withWarmup(long total, double pctStart) {
        return new OneCycle(total, pctStart, 25, 1e4, 0.85, 0.95, true);
    }

    @Override
    public double lrFactor(long step) {
        double initial = 1 / divFactor;
        double min = initial / finalDivFactor;
        return phase(step, initial, 1, min);
    }

    @Override
    public double momentum(long step) {
        return cycleMomentum ? phase(step, maxMomentum, baseMomentum, maxMomentum) : Double.NaN;
    }

    /** The value at {@code step} going start -> middle over phase 1 and middle -> end over phase 2. */
    private double phase(long step, double start, double middle, double end) {
        double upEnd = pctStart * total - 1; // torch's end_step of phase 1 (a float)
        double downEnd = total - 1;
        if (step <= upEnd) {
            return anneal(start, middle, step / upEnd);
        }
        return anneal(middle, end, (step - upEnd) / (downEnd - upEnd));
    }

    private static double anneal(double from, double to, double pct) {
        return to + (from - to) / 2 * (Math.cos(Math.PI * pct) + 1);
    }

    @Override
    public String describe() {
        return String.format(java.util.Locale.ROOT, "onecycle(total=%d steps, pct_start=%.3g)", total, pctStart);
    }
}
