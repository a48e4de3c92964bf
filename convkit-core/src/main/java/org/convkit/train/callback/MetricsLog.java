package org.convkit.train.callback;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.convkit.eval.EvalResult;
import org.convkit.train.Callback;
import org.convkit.train.EpochColumns;
import org.convkit.train.EpochResult;
import org.convkit.train.Learner;
import org.convkit.train.RunWriter;

/**
 * Appends every epoch's row to the run folder's {@code metrics.csv} and {@code metrics.jsonl}, with
 * the extra columns the given {@link EpochColumns} add.
 */
public final class MetricsLog implements Callback {
    private final RunWriter run;
    private final List<EpochColumns> extras;

    public MetricsLog(RunWriter run, List<EpochColumns> extras) {
        this.run = run;
        this.extras = List.copyOf(extras);
    }

    @Override
    public void onEpochEnd(Learner learner, EpochResult result) {
        Map<String, Object> extra = new LinkedHashMap<>();
        for (EpochColumns c : extras) {
            extra.putAll(c.columns(learner, result));
        }
        run.addEpoch(result, extra);
    }

    /**
     * For K heads (digit sequences): the validation accuracy of every position, {@code
     * valid_acc_pos1} ... {@code valid_acc_posK} ({@code valid_acc} is the whole-sequence accuracy).
     */
    public static EpochColumns positionAccuracy() {
        return (learner, row) -> {
            Map<String, Object> m = new LinkedHashMap<>();
            EvalResult v = learner.lastValidation();
            if (v != null && v.heads() > 1) {
                double[] acc = v.positionAccuracy();
                for (int i = 0; i < acc.length; i++) {
                    m.put("valid_acc_pos" + (i + 1), Double.isFinite(acc[i]) ? acc[i] : null);
                }
            }
            return m;
        };
    }
}
