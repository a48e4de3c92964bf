package org.convkit.train;

/**
 * Thrown by a {@link Callback} to end the current epoch's training pass at once (fastai's {@code
 * CancelEpochException}): the remaining batches are skipped, validation and {@code onEpochEnd}
 * still run. Thrown from {@code onLoss} the step is not taken. The divergence guard uses it after
 * putting back the last good weights.
 */
public final class CancelEpoch extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public CancelEpoch(String reason) {
        super(reason, null, false, false);
    }
}
