package org.convkit.train;

import java.util.List;

/**
 * What {@link Learner#fit} did.
 *
 * @param history one row per epoch run in this call (a resumed run starts where it left off)
 * @param stopReason why it ended before the last epoch ("early stop: ..."), or null
 * @param bestEpoch 1-based epoch with the best monitored validation metric ({@link Monitor}; 0 = no
 *     validation)
 * @param bestMetric its {@link Monitor#score} (accuracy, or the loss negated; NaN = no validation)
 */
public record FitResult(List<EpochResult> history, String stopReason, int bestEpoch, double bestMetric) {
    /** The last epoch's row, or null if no epoch ran. */
    public EpochResult last() {
        return history.isEmpty() ? null : history.get(history.size() - 1);
    }
}
