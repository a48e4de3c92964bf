package org.convkit.train.callback;

import org.convkit.train.Callback;
import org.convkit.train.EpochResult;
import org.convkit.train.Learner;
import org.convkit.train.RunWriter;

/** Appends every epoch's row to the run folder's {@code metrics.csv} and {@code metrics.jsonl}. */
public final class MetricsLog implements Callback {
    private final RunWriter run;

    public MetricsLog(RunWriter run) {
        this.run = run;
    }

    @Override
    public void onEpochEnd(Learner learner, EpochResult result) {
        run.addEpoch(result);
    }
}
