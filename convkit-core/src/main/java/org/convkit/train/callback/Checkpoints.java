package org.convkit.train.callback;

import java.nio.file.Path;
import java.util.Locale;
import org.convkit.model.weights.Checkpoint;
import org.convkit.model.weights.ModelInfo;
import org.convkit.model.weights.TrainingState;
import org.convkit.train.Callback;
import org.convkit.train.EpochResult;
import org.convkit.train.Learner;
import org.convkit.train.RunWriter;

/**
 * Saves {@code checkpoints/last} at the end of every epoch (weights, optimizer state, training
 * state: enough to resume exactly) and {@code checkpoints/best} when the monitored validation metric ({@code --monitor}) improves
 * (weights only). With {@code everyMinutes > 0} it also saves {@code last} in the middle of an
 * epoch, so a killed run loses at most that much work. Every save replaces the directory
 * atomically: a kill during a save leaves the previous checkpoint.
 */
public final class Checkpoints implements Callback {
    private final RunWriter run;
    private final ModelInfo info;
    private final long everyNanos;
    private final int everyBatches;
    private long lastSave;
    private String lastDescription;

    /**
     * @param info class names, normalization and extras stored with the model
     * @param everyMinutes mid-epoch save interval, 0 = only at epoch ends
     * @param everyBatches mid-epoch save every this many batches, 0 = never (for tests)
     */
    public Checkpoints(RunWriter run, ModelInfo info, double everyMinutes, int everyBatches) {
        this.run = run;
        this.info = info;
        this.everyNanos = everyMinutes > 0 ? (long) (everyMinutes * 60e9) : 0;
        this.everyBatches = everyBatches;
    }

    @Override
    public void onFitStart(Learner learner) {
        lastSave = System.nanoTime();
        int done = learner.state().epoch;
        lastDescription = done > 0 || learner.state().batch > 0
                ? describe(run.lastCheckpoint(), done, learner.state().batch)
                : null;
    }

    @Override
    public void onBatchEnd(Learner learner, BatchEnd b) {
        if (b.batch() >= b.batches() || !learner.atStepBoundary()) {
            return; // the epoch end saves anyway; pending accumulated gradients are not saved
        }
        boolean due = (everyNanos > 0 && System.nanoTime() - lastSave >= everyNanos)
                || (everyBatches > 0 && b.batch() % everyBatches == 0);
        if (due) {
            saveLast(learner);
        }
    }

    @Override
    public void onEpochEnd(Learner learner, EpochResult r) {
        // best before last: a kill between the two then leaves `last` before this epoch's end, and
        // the resumed run redoes the end of the epoch and writes the same best again; the other
        // order lost the best of that epoch for good
        if (!r.hasValidation() || learner.state().bestEpoch == r.epoch()) {
            Checkpoint.save(run.bestCheckpoint(), learner.net(), withEpoch(info, r.epoch()), null);
        }
        saveLast(learner);
    }

    /** Where the last good checkpoint is, for messages; null before the first save. */
    public String lastGood() {
        return lastDescription;
    }

    private void saveLast(Learner learner) {
        TrainingState t = new TrainingState(learner.state().epoch, learner.state().step, learner.snapshot(),
                learner.optimizer().stateTensors());
        Checkpoint.save(run.lastCheckpoint(), learner.net(), info, t);
        lastSave = System.nanoTime();
        lastDescription = describe(run.lastCheckpoint(), learner.state().epoch, learner.state().batch);
    }

    private static ModelInfo withEpoch(ModelInfo info, int epoch) {
        java.util.Map<String, Object> extra = new java.util.LinkedHashMap<>(info.extra());
        extra.put(ModelInfo.EPOCH, epoch);
        return new ModelInfo(info.classes(), info.mean(), info.std(), extra);
    }

    private static String describe(Path dir, int epoch, int batch) {
        return batch == 0
                ? String.format(Locale.ROOT, "%s (end of epoch %d)", dir, epoch)
                : String.format(Locale.ROOT, "%s (epoch %d, batch %d)", dir, epoch + 1, batch);
    }
}
