package org.convkit.train;

import org.convkit.data.ImageSource;
import org.convkit.eval.EvalResult;

/**
 * Hooks into {@link Learner#fit}: progress display, checkpoints, metrics files, early stopping,
 * the divergence guard and the out-of-memory message are callbacks, not flags inside the loop (fastai's
 * design). Every method has an empty default; callbacks run in the order they were given.
 */
public interface Callback {
    /** Before the first epoch (also when resuming). */
    default void onFitStart(Learner learner) {}

    /** Before epoch {@code epoch} (0-based) whose pass has {@code batches} batches. */
    default void onEpochStart(Learner learner, int epoch, int batches) {}

    /**
     * After the forward pass of a training batch, before backward and the optimizer step: {@code
     * loss} is the batch's loss. Throwing {@link TrainingStopped} here stops the run before the
     * weights change.
     */
    default void onLoss(Learner learner, BatchEnd where, double loss) {}

    /** After a training batch (and its optimizer step, if one was due). */
    default void onBatchEnd(Learner learner, BatchEnd batch) {}

    /** After an epoch's validation; the row {@code metrics.csv} gets. */
    default void onEpochEnd(Learner learner, EpochResult result) {}

    /** When fit ends, normally or not ({@code result.stopReason()} says why). */
    default void onFitEnd(Learner learner, FitResult result) {}

    /**
     * After fit, with the best checkpoint loaded: its evaluation of the validation split, {@code
     * images} the samples it read (what a run's report shows). Called by {@code Training}, not by
     * fit.
     */
    default void onValidated(Learner learner, EvalResult validation, ImageSource images) {}

    /**
     * A training step failed with {@code error}; return the exception to throw instead (e.g. a
     * clear message for an out-of-memory error), or {@code error} itself.
     */
    default RuntimeException onError(Learner learner, BatchEnd where, RuntimeException error) {
        return error;
    }

    /**
     * Where a training batch is and what it measured so far.
     *
     * @param epoch 0-based
     * @param batch 1-based index of this batch in the epoch
     * @param batches batches in the epoch
     * @param batchSize samples in this batch
     * @param step optimizer steps taken, this batch's included
     * @param loss this batch's loss (NaN in {@link #onLoss}, where it is passed separately)
     * @param epochLoss mean loss of the epoch so far
     * @param epochAcc accuracy of the epoch so far
     * @param samples samples of the epoch so far
     * @param seconds time in the epoch so far
     * @param waitSeconds of that, time spent waiting for data
     * @param lr the learning rate of the last step
     */
    record BatchEnd(int epoch, int batch, int batches, int batchSize, long step, double loss, double epochLoss,
            double epochAcc, long samples, double seconds, double waitSeconds, double lr) {}
}
