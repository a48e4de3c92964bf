package org.convkit.train.callback;

import java.util.Locale;
import org.convkit.train.Callback;
import org.convkit.train.EpochResult;
import org.convkit.train.Learner;

/**
 * Stops training when the monitored validation metric ({@code --monitor}: accuracy, or the loss)
 * has not improved for {@code patience} epochs (the best weights are in {@code checkpoints/best}
 * already).
 */
public final class EarlyStopping implements Callback {
    private final int patience;

    public EarlyStopping(int patience) {
        if (patience < 1) {
            throw new org.convkit.core.ConvkitException("--patience " + patience + ": must be at least 1 (epochs)");
        }
        this.patience = patience;
    }

    @Override
    public void onEpochEnd(Learner learner, EpochResult r) {
        int best = learner.state().bestEpoch;
        if (r.hasValidation() && best > 0 && r.epoch() - best >= patience && r.epoch() < learner.epochs()) {
            learner.requestStop(String.format(Locale.ROOT,
                    "early stop: %s has not improved for %d epochs (best %s at epoch %d)",
                    learner.monitor().label(), r.epoch() - best, learner.monitor().describe(learner.state().bestMetric),
                    best));
        }
    }
}
