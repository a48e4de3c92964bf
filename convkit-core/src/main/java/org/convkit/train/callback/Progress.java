package org.convkit.train.callback;

import java.io.PrintStream;
import java.util.Locale;
import org.convkit.train.Callback;
import org.convkit.train.EpochResult;
import org.convkit.train.Learner;

/**
 * Shows training as it goes. On a terminal: a live bar per epoch (batches, loss, accuracy,
 * images/s, ETA) redrawn in place; elsewhere (a log file, CI): a plain line every tenth of an
 * epoch, at most one per 10 seconds. Always one summary line per epoch: train loss/accuracy,
 * valid loss/accuracy, learning rate, time and the share of it spent waiting for data.
 */
public final class Progress implements Callback {
    private static final long REDRAW_NANOS = 200_000_000L;
    private static final long PLAIN_NANOS = 10_000_000_000L;

    private final PrintStream out;
    private final boolean live;
    private long lastDraw;
    private int lastPlainTenth;
    private boolean barShown;

    /**
     * @param out where lines go
     * @param live redraw a bar in place (a terminal), else plain lines
     */
    public Progress(PrintStream out, boolean live) {
        this.out = out;
        this.live = live;
    }

    /** Live when the process talks to a terminal. */
    public static Progress onConsole(PrintStream out) {
        return new Progress(out, System.console() != null);
    }

    @Override
    public void onEpochStart(Learner learner, int epoch, int batches) {
        lastDraw = System.nanoTime();
        lastPlainTenth = 0;
    }

    @Override
    public void onBatchEnd(Learner learner, BatchEnd b) {
        long now = System.nanoTime();
        if (live) {
            if (now - lastDraw >= REDRAW_NANOS || b.batch() == b.batches()) {
                lastDraw = now;
                out.print("\r" + bar(learner, b) + "\u001b[K");
                out.flush();
                barShown = true;
            }
            return;
        }
        int tenth = (int) (10L * b.batch() / Math.max(1, b.batches()));
        if (tenth > lastPlainTenth && now - lastDraw >= PLAIN_NANOS && b.batch() < b.batches()) {
            lastPlainTenth = tenth;
            lastDraw = now;
            out.println(plain(learner, b));
        }
    }

    @Override
    public void onEpochEnd(Learner learner, EpochResult r) {
        if (barShown) {
            out.print("\r\u001b[K");
            barShown = false;
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

    private static String bar(Learner learner, BatchEnd b) {
        int width = 24;
        int filled = (int) ((long) width * b.batch() / Math.max(1, b.batches()));
        String bar = "=".repeat(filled) + (filled < width ? ">" + " ".repeat(width - filled - 1) : "");
        return String.format(Locale.ROOT, "epoch %d/%d [%s] %d/%d loss %.4f acc %.2f%% %s img/s ETA %s",
                b.epoch() + 1, learner.epochs(), bar, b.batch(), b.batches(), b.epochLoss(), 100 * b.epochAcc(),
                rate(b), eta(b));
    }

    private static String plain(Learner learner, BatchEnd b) {
        return String.format(Locale.ROOT, "epoch %d/%d batch %d/%d loss %.4f acc %.2f%% %s img/s eta %s",
                b.epoch() + 1, learner.epochs(), b.batch(), b.batches(), b.epochLoss(), 100 * b.epochAcc(), rate(b),
                eta(b));
    }

    private static String rate(BatchEnd b) {
        return b.seconds() > 0 ? String.format(Locale.ROOT, "%.0f", b.samples() / b.seconds()) : "-";
    }

    private static String eta(BatchEnd b) {
        if (b.batch() == 0 || b.seconds() <= 0) {
            return "-";
        }
        long s = Math.round(b.seconds() / b.batch() * (b.batches() - b.batch()));
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }
}
