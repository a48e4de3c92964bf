package org.convkit.train.callback;

import java.util.Locale;
import org.convkit.train.Callback;
import org.convkit.train.Learner;
import org.convkit.train.TrainingStopped;

/**
 * Stops the run at the first NaN or infinite loss, before the optimizer step could spread it into
 * the weights: names the step, points at the last good checkpoint (never overwritten by a bad
 * one) and suggests a lower learning rate.
 */
public final class NanGuard implements Callback {
    private final Checkpoints checkpoints;

    /** @param checkpoints where the last good checkpoint is (may be null: no checkpoints kept) */
    public NanGuard(Checkpoints checkpoints) {
        this.checkpoints = checkpoints;
    }

    @Override
    public void onLoss(Learner learner, BatchEnd where, double loss) {
        if (Double.isFinite(loss)) {
            return;
        }
        String last = checkpoints == null ? null : checkpoints.lastGood();
        double lr = Double.isNaN(learner.lastLr()) ? 0 : learner.lastLr();
        throw new TrainingStopped(String.format(Locale.ROOT,
                "the loss became %s at epoch %d, batch %d/%d (optimizer step %d, learning rate %.3g): training"
                        + " stopped before the weights changed. %s Try a lower learning rate, e.g. --lr %.3g, or"
                        + " clip gradients with --clip 1.",
                Double.isNaN(loss) ? "NaN" : "infinite", where.epoch() + 1, where.batch() + 1, where.batches(),
                where.step(), lr,
                last == null ? "No checkpoint was written yet." : "The last good checkpoint is " + last + ".",
                lr > 0 ? lr / 10 : 1e-3));
    }
}
