package org.convkit.train.callback;

import java.io.PrintStream;
import java.util.Locale;
import org.convkit.train.Callback;
import org.convkit.train.CancelEpoch;
import org.convkit.train.EpochResult;
import org.convkit.train.FitResult;
import org.convkit.train.Learner;
import org.convkit.train.LearnerSnapshot;
import org.convkit.train.TrainState;
import org.convkit.train.TrainingStopped;

/**
 * Notices when training diverges and, unless told not to, backs off instead of spending the rest
 * of the budget on a broken model.
 *
 * <p>Diverged means: a batch's loss is NaN or infinite (caught before the optimizer step could
 * spread it into the weights), or an epoch's training or validation loss is {@link #FACTOR} times
 * its best so far or more; for the training loss "best" starts at the loss of a uniform guess,
 * ln(classes), so a first epoch that already trains far worse than guessing counts too. The run says so in plain
 * words at that epoch. With back-off on (the default) the weights and optimizer state of the last
 * good epoch come back and the learning rate is divided by {@link #LR_CUT} for the rest of the run
 * (the schedule keeps its shape), at most {@link #MAX_BACKOFFS} times; the diverged epoch never
 * becomes the best checkpoint. Without back-off a NaN stops the run (nothing sensible can follow)
 * and a mere jump is only reported.
 *
 * <p>The learning-rate factor and the best losses live in {@link TrainState}, which every checkpoint
 * saves, so a resumed run keeps a back-off that happened and detects the same divergence again.
 * This callback must run before {@link Checkpoints}, so that {@code checkpoints/last} holds the
 * weights it restored.
 */
public final class DivergenceGuard implements Callback {
    /** An epoch loss this many times its best (or the uniform guess's) is a divergence. */
    public static final double FACTOR = 10;
    /** Each back-off divides the learning rate by this. */
    public static final double LR_CUT = 10;
    /** Back-offs before the run gives up. */
    public static final int MAX_BACKOFFS = 3;

    private final Checkpoints checkpoints;
    private final boolean backoff;
    private final double guess;
    private final PrintStream out;
    private LearnerSnapshot lastGood;
    private int lastGoodEpoch;
    private boolean cancelled;
    private double bestMetricBefore;
    private int bestEpochBefore;

    /**
     * @param checkpoints where the last good checkpoint is, for messages (may be null)
     * @param backoff back off (true) or only report (false)
     * @param classes classes of the (first) head: ln(classes) is the loss of a uniform guess
     * @param out where the messages go
     */
    public DivergenceGuard(Checkpoints checkpoints, boolean backoff, int classes, PrintStream out) {
        this.checkpoints = checkpoints;
        this.backoff = backoff;
        this.guess = Math.log(Math.max(2, classes));
        this.out = out;
    }

    @Override
    public void onFitStart(Learner learner) {
        if (backoff) {
            lastGood = LearnerSnapshot.of(learner);
            lastGoodEpoch = learner.state().epoch;
        }
    }

    @Override
    public void onEpochStart(Learner learner, int epoch, int batches) {
        cancelled = false;
        bestMetricBefore = learner.state().bestMetric;
        bestEpochBefore = learner.state().bestEpoch;
    }

    @Override
    public void onLoss(Learner learner, BatchEnd where, double loss) {
        if (Double.isFinite(loss)) {
            return;
        }
        double lr = Double.isNaN(learner.lastLr()) ? 0 : learner.lastLr();
        String what = String.format(Locale.ROOT, "the loss became %s at epoch %d, batch %d/%d (optimizer step %d,"
                + " learning rate %.3g)", Double.isNaN(loss) ? "NaN" : "infinite", where.epoch() + 1, where.batch() + 1,
                where.batches(), where.step(), lr);
        if (!backoff || exhausted(learner.state())) {
            String last = checkpoints == null ? null : checkpoints.lastGood();
            throw new TrainingStopped(String.format(Locale.ROOT, "%s: training stopped before the weights changed%s. %s"
                    + " Try a lower learning rate, e.g. --lr %.3g, or clip gradients with --clip 1.", what,
                    backoff ? " (after " + MAX_BACKOFFS + " back-offs)" : "",
                    last == null ? "No checkpoint was written yet." : "The last good checkpoint is " + last + ".",
                    lr > 0 ? lr / 10 : 1e-3));
        }
        backOff(learner, what + ": training diverged");
        cancelled = true;
        throw new CancelEpoch(what);
    }

    @Override
    public void onEpochEnd(Learner learner, EpochResult r) {
        TrainState s = learner.state();
        if (cancelled) {
            return; // backed off in the middle of the epoch: the weights validated are the last good ones
        }
        double trainRef = Math.min(s.bestTrainLoss, guess);
        // validation only against its own best: after a first epoch on little data, BatchNorm's running
        // statistics can put the validation loss far above a guess while training is fine
        double validRef = s.bestValidLoss;
        String why = null;
        if (!Double.isFinite(r.trainLoss()) || r.trainLoss() >= FACTOR * trainRef) {
            why = describe("training", r.trainLoss(), s.bestTrainLoss);
        } else if (r.hasValidation() && (!Double.isFinite(r.validLoss()) || r.validLoss() >= FACTOR * validRef)) {
            why = describe("validation", r.validLoss(), s.bestValidLoss);
        }
        if (why == null) {
            s.bestTrainLoss = Math.min(s.bestTrainLoss, r.trainLoss());
            if (r.hasValidation()) {
                s.bestValidLoss = Math.min(s.bestValidLoss, r.validLoss());
            }
            if (backoff) {
                lastGood.update(learner);
                lastGoodEpoch = s.epoch;
            }
            return;
        }
        String what = String.format(Locale.ROOT, "epoch %d: training diverged: %s", r.epoch(), why);
        if (!backoff) {
            out.println("warning: " + what + ". Not backing off (--no-backoff); a lower --lr would help.");
            return;
        }
        if (exhausted(s)) {
            throw new TrainingStopped(what + ". Stopped after " + MAX_BACKOFFS + " back-offs (learning rate "
                    + String.format(Locale.ROOT, "%.3g", s.lrScale) + "x the configured one); the best checkpoint"
                    + " is kept. Try a much lower --lr or a smaller --model.");
        }
        // the diverged epoch's weights are not kept, so it must not count as the best one
        s.bestMetric = bestMetricBefore;
        s.bestEpoch = bestEpochBefore;
        backOff(learner, what);
    }

    @Override
    public void onFitEnd(Learner learner, FitResult result) {
        if (lastGood != null) {
            lastGood.close();
            lastGood = null;
        }
    }

    private void backOff(Learner learner, String what) {
        TrainState s = learner.state();
        lastGood.restore(learner);
        s.lrScale /= LR_CUT;
        out.printf(Locale.ROOT, "%s. Backing off: back to the weights %s, learning rate divided by %.0f (now %s the"
                + " configured one; --no-backoff turns this off)%n", what,
                lastGoodEpoch == 0 ? "it started with" : "of epoch " + lastGoodEpoch, LR_CUT, scale(s.lrScale));
    }

    private static boolean exhausted(TrainState s) {
        return s.lrScale < Math.pow(LR_CUT, -MAX_BACKOFFS) * 1.5;
    }

    private String describe(String which, double loss, double best) {
        if (!Double.isFinite(loss)) {
            return "the " + which + " loss became " + (Double.isNaN(loss) ? "NaN" : "infinite");
        }
        return Double.isInfinite(best)
                ? String.format(Locale.ROOT, "the %s loss is %.4g, over %.0fx that of a uniform guess (%.3g)", which,
                        loss, FACTOR, guess)
                : String.format(Locale.ROOT, "the %s loss jumped to %.4g, over %.0fx its best so far (%.4g)", which,
                        loss, FACTOR, Math.min(best, guess));
    }

    private static String scale(double lrScale) {
        return String.format(Locale.ROOT, "%.3g", lrScale).replaceAll("\\.?0+$", "") + "x";
    }
}
