package org.convkit.train;

/**
 * Thrown by a {@link Callback} to end {@link Learner#fit} at once, as a normal end (fastai's
 * {@code CancelFitException}): fit calls every callback's {@code onFitEnd} and returns, the message
 * as its stop reason. The learning-rate finder ends its sweep this way. Thrown from {@code onLoss}
 * the step is not taken.
 */
public final class CancelFit extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public CancelFit(String reason) {
        super(reason, null, false, false);
    }
}
