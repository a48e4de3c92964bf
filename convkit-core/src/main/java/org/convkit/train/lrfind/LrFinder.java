package org.convkit.train.lrfind;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.convkit.core.ConvkitException;
import org.convkit.train.Batches;
import org.convkit.train.Callback;
import org.convkit.train.CancelFit;
import org.convkit.train.FitResult;
import org.convkit.train.Learner;
import org.convkit.train.LearnerSnapshot;
import org.convkit.train.schedule.Exponential;

/**
 * The learning-rate range test (Leslie Smith 2015, as fastai's {@code lr_find}): train for up to
 * {@code steps} batches while the learning rate grows exponentially from {@code start} to {@code
 * end}, record the loss after each, smooth it with an exponential moving average (bias-corrected,
 * beta 0.98) and stop once the smoothed loss passes {@code divergence} times the best seen (or is
 * NaN). Afterwards every weight, BatchNorm statistic and the optimizer's state (moments, step
 * counts, momentum) are put back exactly as they were: the test leaves no trace on the model.
 *
 * <p>As in fastai it is a {@link Callback} on a {@link Learner}: the sweep is the learner's own
 * training step (forward, loss, backward, optimizer step, seeded per batch) under an {@link
 * Exponential} schedule; this callback records the losses, cancels the fit when they diverge and
 * restores the model when the fit ends. {@link #run} makes such a learner from a training one.
 *
 * <p>The suggestion comes from {@link LrSuggestion}: fastai's rules (steepest descent, valley,
 * minimum / 10) where they agree and lie inside the sweep, or none (NaN) when the loss never
 * clearly fell or the rules disagree: the caller then falls back to a safe default.
 */
public final class LrFinder implements Callback {
    /**
     * @param start first learning rate
     * @param end last learning rate (the sweep may stop before)
     * @param steps batches (optimizer steps) in the sweep
     * @param beta smoothing of the loss's moving average
     * @param divergence stop when the smoothed loss exceeds this many times the best
     */
    public record Settings(double start, double end, int steps, double beta, double divergence) {
        public Settings {
            if (!(start > 0) || !(end > start)) {
                throw new ConvkitException("lr-find: --start " + start + " --end " + end
                        + ": need 0 < start < end, e.g. --start 1e-7 --end 10");
            }
            if (steps < 5) {
                throw new ConvkitException("lr-find: --steps " + steps + ": at least 5 (100 is usual)");
            }
        }

        /** 1e-7 to 10 in 100 steps, beta 0.98, stop at 4x the best loss: fastai's defaults. */
        public static Settings defaults() {
            return new Settings(1e-7, 10, 100, 0.98, 4);
        }

        public Settings with(double start, double end, int steps) {
            return new Settings(start, end, steps, beta, divergence);
        }
    }

    /** One step of the sweep. */
    public record Point(double lr, double loss, double smoothed) {}

    /**
     * What the sweep found.
     *
     * @param points every step run, in order
     * @param suggestion the learning rate to train with, or NaN when the sweep has no good answer
     * @param rule how {@code suggestion} was chosen, in words
     * @param minimum the learning rate of the smallest smoothed loss
     * @param steepest the learning rate where the smoothed loss falls fastest (per decade), before
     *     its minimum; NaN when the loss never fell
     * @param stopReason why the sweep ended
     */
    public record Result(List<Point> points, double suggestion, String rule, double minimum, double steepest,
            String stopReason) {
        /** For a JSON file: the numbers and the rule. */
        public Map<String, Object> summary() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("suggestion", Double.isFinite(suggestion) ? suggestion : null);
            m.put("rule", rule);
            m.put("minimum", minimum);
            m.put("steepest", Double.isFinite(steepest) ? steepest : null);
            m.put("steps", points.size());
            m.put("stop", stopReason);
            return m;
        }

        /** One line for the console: the suggestion with its rule, and where the sweep stopped. */
        public String describe() {
            return String.format(Locale.ROOT, "%s (%s); %d steps, stopped: %s", Double.isFinite(suggestion)
                    ? "suggested learning rate " + fmt(suggestion) : "no suggested learning rate", rule, points.size(),
                    stopReason);
        }
    }

    private final Settings settings;
    private final List<Point> points = new ArrayList<>();
    private double avg;
    private double best = Double.POSITIVE_INFINITY;
    private LearnerSnapshot saved;
    private String stop;

    private LrFinder(Settings settings) {
        this.settings = settings;
    }

    /**
     * Sweeps with a learner made as {@code training} makes one (network, optimizer with its
     * parameter groups, so a fine-tuned backbone sweeps at its factor, loss, batch mixing, device, seed, its
     * callbacks after this one), one optimizer step per batch of {@code train}, then restores
     * weights, BatchNorm statistics and optimizer state.
     */
    public static Result run(Learner.Builder training, Batches train, Settings s) {
        if (train.batchCount() == 0) {
            throw new ConvkitException("lr-find: the training split gives no batch (fewer samples than --batch-size?)");
        }
        LrFinder finder = new LrFinder(s);
        Learner.Options o = training.options();
        Learner.Builder sweep = Learner.builder(training.net(), training.optimizer()).device(training.device())
                .loss(training.loss())
                .mixing(training.mixing())
                .schedule(new Exponential(s.end() / s.start(), s.steps()), s.start())
                .options(new Learner.Options(1, 0, o.seed()))
                .callback(finder)
                .callbacks(training.callbacks());
        sweep.build().fit(Integer.MAX_VALUE, train, null);
        return finder.result();
    }

    /**
     * What the sweep found, once its fit has ended (callbacks after this one may read it in their
     * {@code onFitEnd}).
     *
     * @throws ConvkitException when the loss diverged within the first steps (lower --start)
     */
    public Result result() {
        if (stop == null) {
            throw new IllegalStateException("the sweep has not ended");
        }
        return suggest(points, stop);
    }

    @Override
    public void onFitStart(Learner learner) {
        saved = LearnerSnapshot.of(learner);
    }

    @Override
    public void onLoss(Learner learner, BatchEnd where, double loss) {
        if (!Double.isFinite(loss)) {
            // the step is not taken: a NaN must not reach the weights, restored or not
            double lr = learner.nextLr();
            points.add(new Point(lr, loss, loss));
            throw new CancelFit("the loss became " + loss + " at lr " + fmt(lr));
        }
    }

    @Override
    public void onBatchEnd(Learner learner, BatchEnd b) {
        int step = points.size();
        double lr = learner.lastLr(); // this batch's step, at the rate the sweep's schedule gave it
        avg = settings.beta() * avg + (1 - settings.beta()) * b.loss();
        double smoothed = avg / (1 - Math.pow(settings.beta(), step + 1));
        points.add(new Point(lr, b.loss(), smoothed));
        if (!Double.isFinite(smoothed)) {
            throw new CancelFit("the loss became " + b.loss() + " at lr " + fmt(lr));
        }
        best = Math.min(best, smoothed);
        if (smoothed > settings.divergence() * best) {
            throw new CancelFit(String.format(Locale.ROOT, "the smoothed loss passed %.0fx its best at lr %s",
                    settings.divergence(), fmt(lr)));
        }
        if (points.size() == settings.steps()) {
            throw new CancelFit("reached --end " + settings.end());
        }
    }

    /** Puts weights, statistics and the optimizer's state back, however the sweep ended. */
    @Override
    public void onFitEnd(Learner learner, FitResult fit) {
        stop = fit.stopReason();
        try (LearnerSnapshot s = saved) {
            s.restore(learner);
        }
    }

    /**
     * The suggestion of a finished sweep ({@link LrSuggestion}: several rules, agreement checked,
     * never at the sweep's edge; NaN when there is no good answer), package-private for tests.
     */
    static Result suggest(List<Point> points, String stop) {
        LrSuggestion.Answer a = LrSuggestion.of(points);
        String rule = a.reason();
        int usable = (int) points.stream().filter(p -> Double.isFinite(p.smoothed())).count();
        if (a.found() && usable > 0 && a.minimum() == points.get(usable - 1).lr() && stop.startsWith("reached")) {
            rule += " (the loss was still falling at --end: raise --end to see the minimum)";
        }
        return new Result(List.copyOf(points), a.lr(), rule, a.minimum(), a.steepest(), stop);
    }

    static String fmt(double lr) {
        return String.format(java.util.Locale.ROOT, "%.3g", lr);
    }
}
