package org.convkit.train.lrfind;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;
import org.convkit.core.ConvkitException;
import org.convkit.core.Runtime;
import org.convkit.data.Batch;
import org.convkit.model.ConvNet;
import org.convkit.train.Batches;
import org.convkit.train.InputBuffers;
import org.convkit.train.Learner;
import org.convkit.train.WeightSnapshot;
import org.convkit.train.loss.Loss;
import org.convkit.train.optim.Optimizer;

/**
 * The learning-rate range test (Leslie Smith 2015, as fastai's {@code lr_find}): train for up to
 * {@code steps} batches while the learning rate grows exponentially from {@code start} to {@code
 * end}, record the loss after each, smooth it with an exponential moving average (bias-corrected,
 * beta 0.98) and stop once the smoothed loss passes {@code divergence} times the best seen (or is
 * NaN). Afterwards every weight, BatchNorm statistic and the optimizer's state (moments, step
 * counts, momentum) are put back exactly as they were: the test leaves no trace on the model.
 *
 * <p>The suggestion is fastai's {@code lr_min} rule: the learning rate of the smallest smoothed
 * loss divided by 10 (one order of magnitude before the loss stops falling). The steepest descent
 * of the smoothed loss (before its minimum) is reported beside it.
 */
public final class LrFinder {
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
     * @param suggestion the learning rate to train with ({@code minimum / 10})
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
            m.put("suggestion", suggestion);
            m.put("rule", rule);
            m.put("minimum", minimum);
            m.put("steepest", Double.isFinite(steepest) ? steepest : null);
            m.put("steps", points.size());
            m.put("stop", stopReason);
            return m;
        }
    }

    private LrFinder() {}

    /**
     * Runs the sweep on {@code net} with {@code optimizer} (its groups' learning-rate scales apply,
     * so a fine-tuned backbone sweeps at its factor) over batches of {@code train}, then restores
     * weights, BatchNorm statistics and optimizer state.
     *
     * @param seed seeds the engine per step (Dropout), as training does
     * @param onStep called after each step with its index (progress), may be null
     */
    public static Result run(ConvNet net, Device device, Batches train, Loss loss, Optimizer optimizer, Settings s,
            long seed, IntConsumer onStep) {
        Engine engine = Runtime.init();
        List<Point> points = new ArrayList<>();
        String stop = "reached --end " + s.end();
        double avg = 0;
        double best = Double.POSITIVE_INFINITY;
        double savedMomentum = optimizer.momentum();
        Map<String, Object> savedScalars = optimizer.stateScalars();
        try (WeightSnapshot weights = WeightSnapshot.of(net);
                NDManager base = NDManager.newBaseManager(device)) {
            Map<String, NDArray> savedTensors = copy(optimizer.stateTensors(), base);
            try {
                ParameterStore ps = new ParameterStore(base, false);
                int epoch = 0;
                int step = 0;
                InputBuffers inputs = new InputBuffers(); // one input buffer for the sweep, as in training
                outer:
                while (step < s.steps()) {
                    try (Batches.Pass pass = train.open(epoch, 0)) {
                        if (!pass.hasNext()) {
                            throw new ConvkitException("lr-find: the training split gives no batch (fewer samples than"
                                    + " --batch-size?)");
                        }
                        while (pass.hasNext() && step < s.steps()) {
                            Batch batch = pass.next();
                            double lr = s.start() * Math.pow(s.end() / s.start(), step / (double) (s.steps() - 1));
                            engine.setRandomSeed(Learner.seedFor(seed, step));
                            double value = step(net, ps, base, inputs, batch, loss, optimizer, lr);
                            pass.recycle(batch);
                            avg = s.beta() * avg + (1 - s.beta()) * value;
                            double smoothed = avg / (1 - Math.pow(s.beta(), step + 1));
                            points.add(new Point(lr, value, smoothed));
                            step++;
                            if (onStep != null) {
                                onStep.accept(step);
                            }
                            if (!Double.isFinite(smoothed)) {
                                stop = "the loss became " + value + " at lr " + fmt(lr);
                                break outer;
                            }
                            best = Math.min(best, smoothed);
                            if (smoothed > s.divergence() * best) {
                                stop = String.format(java.util.Locale.ROOT, "the smoothed loss passed %.0fx its best at lr %s",
                                        s.divergence(), fmt(lr));
                                break outer;
                            }
                        }
                    }
                    epoch++;
                }
            } finally {
                weights.restore(net);
                optimizer.zeroGrad();
                optimizer.loadState(savedTensors, savedScalars);
                optimizer.setMomentum(savedMomentum);
            }
        }
        return suggest(points, stop);
    }

    /** The suggestion and the steepest descent of a finished sweep (package-private for tests). */
    static Result suggest(List<Point> points, String stop) {
        int usable = 0;
        while (usable < points.size() && Double.isFinite(points.get(usable).smoothed())) {
            usable++;
        }
        if (usable < 3) {
            throw new ConvkitException("lr-find: only " + usable + " steps before the loss diverged (" + stop
                    + "); lower --start");
        }
        int min = 0;
        for (int i = 1; i < usable; i++) {
            if (points.get(i).smoothed() < points.get(min).smoothed()) {
                min = i;
            }
        }
        // slope of the smoothed loss per decade of learning rate, over a window of a few steps on
        // each side (single steps are noise); the first tenth of the sweep is left out (the moving
        // average has not settled there)
        int w = Math.max(1, usable / 15);
        int from = Math.max(w, usable / 10);
        int steepest = -1;
        double slope = 0;
        for (int i = from; i + w <= min; i++) {
            double d = (points.get(i + w).smoothed() - points.get(i - w).smoothed())
                    / (Math.log10(points.get(i + w).lr()) - Math.log10(points.get(i - w).lr()));
            if (d < slope) {
                slope = d;
                steepest = i;
            }
        }
        double minimum = points.get(min).lr();
        double suggestion = minimum / 10;
        String rule = "minimum/10: the smoothed loss is lowest at lr " + fmt(minimum) + "; one tenth of it";
        if (min == usable - 1 && stop.startsWith("reached")) {
            rule += " (the loss was still falling at --end: raise --end to see the minimum)";
        }
        return new Result(List.copyOf(points), suggestion, rule, minimum,
                steepest < 0 ? Double.NaN : points.get(steepest).lr(), stop);
    }

    private static double step(ConvNet net, ParameterStore ps, NDManager base, InputBuffers inputs, Batch batch,
            Loss loss, Optimizer optimizer, double lr) {
        Engine engine = Runtime.init();
        try (NDManager scope = base.newSubManager();
                NDScope tensors = new NDScope()) {
            tensors.suppressNotUsedWarning();
            NDArray x = inputs.images(scope, batch);
            NDArray y = inputs.labels(scope, batch);
            double value;
            try (GradientCollector gc = engine.newGradientCollector()) {
                NDList out = net.forward(ps, new NDList(x), true);
                NDArray l = loss.compute(out, y);
                value = l.getFloat();
                if (Double.isFinite(value)) {
                    gc.backward(l);
                }
            }
            if (Double.isFinite(value)) {
                optimizer.setLr(lr);
                optimizer.step();
            }
            optimizer.zeroGrad();
            return value;
        }
    }

    private static Map<String, NDArray> copy(Map<String, NDArray> tensors, NDManager into) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        tensors.forEach((k, v) -> {
            NDArray c = v.duplicate();
            NDScope.unregister(c);
            c.attach(into);
            out.put(k, c);
        });
        return out;
    }

    static String fmt(double lr) {
        return String.format(java.util.Locale.ROOT, "%.3g", lr);
    }
}
