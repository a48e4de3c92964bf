package org.convkit.train.callback;

import java.io.PrintStream;
import java.util.Locale;
import org.convkit.core.Progress;
import org.convkit.train.Callback;
import org.convkit.train.EpochResult;
import org.convkit.train.Learner;

/**
 * Shows training as it goes, on the one progress bar ({@link Progress}): per epoch a bar over its
 * batches with the running loss, accuracy and images/s, redrawn in place on a terminal and a plain
 * line every 10 seconds elsewhere (a log file, CI); then one summary line per epoch: train
 * loss/accuracy, valid loss/accuracy, learning rate, time and the share of it spent waiting for
 * data.
 */
public final class TrainingProgress implements Callback {
    private final PrintStream out;
    private final boolean live;
    private Progress bar;
    private int shown;

    /**
     * @param out where lines go
     * @param live redraw a bar in place (a terminal), else plain lines
     */
    public TrainingProgress(PrintStream out, boolean live) {
        this.out = out;
        this.live = live;
    }

    /** Live when the process talks to a terminal. */
    public static TrainingProgress onConsole(PrintStream out) {
        return new TrainingProgress(out, System.console() != null);
    }

    @Override
    public void onEpochStart(Learner learner, int epoch, int batches) {
        bar = new Progress(String.format(Locale.ROOT, "epoch %d/%d", epoch + 1, learner.epochs()), batches, "batch",
                out, live);
        shown = learner.state().batch; // a resumed epoch starts where its checkpoint was
        bar.skip(shown);
    }

    @Override
    public void onBatchEnd(Learner learner, BatchEnd b) {
        bar.status(String.format(Locale.ROOT, "loss %.4f acc %.2f%%  %s img/s", b.epochLoss(), 100 * b.epochAcc(),
                b.seconds() > 0 ? String.format(Locale.ROOT, "%.0f", b.samples() / b.seconds()) : "-"));
        bar.advance(b.batch() - shown);
        shown = b.batch();
    }

    @Override
    public void onEpochEnd(Learner learner, EpochResult r) {
        if (bar != null) {
            bar.dismiss();
        }
        out.println(summary(r, learner.epochs()) + positions(learner.lastValidation()));
        out.flush();
    }

    /** "epoch 3/10  train loss 0.3012 acc 89.10%  valid loss 0.2890 acc 89.80%  lr 0.0812  38.2s  data wait 2%" */
    public static String summary(EpochResult r, int epochs) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "epoch %d/%d  train loss %.4f acc %.2f%%", r.epoch(), epochs,
                r.trainLoss(), 100 * r.trainAcc()));
        if (r.hasValidation()) {
            sb.append(String.format(Locale.ROOT, "  valid loss %.4f acc %.2f%%", r.validLoss(), 100 * r.validAcc()));
        }
        sb.append(String.format(Locale.ROOT, "  lr %.3g  %.1fs  data wait %.0f%%", r.lr(), r.seconds(),
                100 * r.dataWait()));
        return sb.toString();
    }

    /** For K heads: "  per position 97.1% 93.0% 95.2% 99.0%" (valid acc is then whole-sequence). */
    static String positions(org.convkit.eval.EvalResult v) {
        if (v == null || v.heads() < 2) {
            return "";
        }
        StringBuilder sb = new StringBuilder("  (whole sequence; per position");
        for (double a : v.positionAccuracy()) {
            sb.append(String.format(Locale.ROOT, " %.1f%%", 100 * a));
        }
        return sb.append(')').toString();
    }
}
