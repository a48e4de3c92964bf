package org.convkit.train;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;
import java.util.function.LongSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.convkit.core.ConvkitException;
import org.convkit.train.schedule.OneCycle;
import org.convkit.train.schedule.Schedule;

/**
 * {@code --budget 5m}: a one-cycle schedule fitted to a wall-time budget instead of an epoch count.
 * The run starts with the configured epochs as a guess; when the first epoch (validation included)
 * ends, the epochs that fit in the rest of the budget at that pace become the run's length and the
 * one-cycle schedule is stretched or shrunk to them, so the learning rate anneals to its end when
 * the time is up. The second epoch may correct the estimate either way (the first one also warmed
 * the JIT and the loaders up); after later epochs it is only shortened, at the last epoch's pace (a
 * loaded machine ends the run on time rather than late). A started schedule always gets one more
 * epoch to anneal in, so a run may overshoot by up to one epoch when the pace drops suddenly.
 *
 * <p>The budget is the training loop's time (epochs and their validation), not the JVM start, data
 * opening or the final test evaluation. A schedule and a callback at once: the learner steps with
 * it, and it resizes itself at epoch ends.
 */
public final class TimeBudget implements Schedule, Callback {
    private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d+)?)([hms])");

    private final double seconds;
    private final long stepsPerEpoch;
    private final double pctStart;
    private final PrintStream out;
    private final LongSupplier nanoTime;
    private OneCycle cycle;
    private int epochs;
    private long startNanos;
    private long lastEnd;

    /**
     * @param budget the wall time the epochs may take
     * @param guessEpochs the epochs before the first one is timed
     * @param pctStart the share of the run spent climbing (one-cycle's pct_start)
     */
    public TimeBudget(Duration budget, int guessEpochs, long stepsPerEpoch, double pctStart, PrintStream out) {
        this(budget, guessEpochs, stepsPerEpoch, pctStart, out, System::nanoTime);
    }

    /** As above, reading the time from {@code nanoTime} (a test's clock, so the fitting can be checked exactly). */
    TimeBudget(Duration budget, int guessEpochs, long stepsPerEpoch, double pctStart, PrintStream out,
            LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
        this.seconds = budget.toMillis() / 1000.0;
        this.stepsPerEpoch = stepsPerEpoch;
        this.pctStart = pctStart;
        this.out = out;
        resize(Math.max(1, guessEpochs));
    }

    /** {@code 5m}, {@code 90s}, {@code 1h30m}, {@code 2.5m}; {@code where} names the flag in the error. */
    public static Duration parse(String text, String where) {
        String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        Matcher m = PART.matcher(t);
        double total = 0;
        int end = 0;
        while (m.find() && m.start() == end) {
            double v = Double.parseDouble(m.group(1));
            total += v * switch (m.group(2)) {
                case "h" -> 3600;
                case "m" -> 60;
                default -> 1;
            };
            end = m.end();
        }
        if (t.isEmpty() || end != t.length() || total <= 0) {
            throw new ConvkitException(where + " " + text + ": give a wall time such as 5m, 90s, 1h or 1h30m");
        }
        return Duration.ofMillis(Math.round(total * 1000));
    }

    /** The epochs the run has now (the guess until the first epoch ended). */
    public int epochs() {
        return epochs;
    }

    private void resize(int n) {
        epochs = n;
        cycle = OneCycle.withWarmup(n * stepsPerEpoch, pctStart);
    }

    @Override
    public double lrFactor(long step) {
        return cycle.lrFactor(Math.min(step, cycle.total() - 1));
    }

    @Override
    public double momentum(long step) {
        return cycle.momentum(Math.min(step, cycle.total() - 1));
    }

    @Override
    public String describe() {
        return String.format(Locale.ROOT, "onecycle fitted to a %s budget (pct_start=%.3g)", Duration.ofMillis(
                Math.round(seconds * 1000)).toString().substring(2).toLowerCase(Locale.ROOT), pctStart);
    }

    @Override
    public void onFitStart(Learner learner) {
        start();
        learner.setEpochs(epochs);
    }

    /** The clock starts (the training loop's first step). */
    void start() {
        startNanos = nanoTime.getAsLong();
        lastEnd = startNanos;
    }

    @Override
    public void onEpochEnd(Learner learner, EpochResult r) {
        int before = epochs;
        if (fitAfter(r.epoch()) != before) {
            learner.setEpochs(epochs);
        }
    }

    /** Refits the run's length after epoch {@code done} ended now; returns the epochs it has. */
    int fitAfter(int done) {
        long now = nanoTime.getAsLong();
        double elapsed = (now - startNanos) / 1e9;
        double pace = (now - lastEnd) / 1e9; // this epoch's wall time, validation included
        lastEnd = now;
        if (done >= epochs) {
            return epochs; // the schedule has ended: so does the run
        }
        // at least one more epoch, so a started schedule always anneals to its end
        int fit = Math.max(done + 1, done + (int) Math.floor((seconds - elapsed) / pace + 1e-9));
        // the first epoch sets the length; the second may correct it (the first also warmed the
        // JIT and the loaders up); later ones only shorten it
        if (done <= 2 ? fit != epochs : fit < epochs) {
            out.printf(Locale.ROOT, "budget: %d epochs fit in %.0f s at %.1f s per epoch: the schedule now ends"
                    + " after epoch %d%n", fit, seconds, pace, fit);
            resize(fit);
        }
        return epochs;
    }
}
