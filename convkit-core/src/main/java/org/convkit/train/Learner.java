package org.convkit.train;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.convkit.core.Autograd;
import org.convkit.core.Runtime;
import org.convkit.core.Seeds;
import org.convkit.data.Batch;
import org.convkit.eval.EvalResult;
import org.convkit.eval.Evaluator;
import org.convkit.eval.Metrics;
import org.convkit.model.ConvNet;
import org.convkit.train.loss.Loss;
import org.convkit.train.optim.Optimizer;
import org.convkit.train.schedule.Constant;
import org.convkit.train.schedule.Schedule;

/**
 * Trains a {@link ConvNet}: {@code fit(epochs, train, valid)} runs the epochs, each a pass of
 * training batches (forward in training mode, loss, backward, optimizer step) followed by an
 * evaluation of the validation split in evaluation mode (BatchNorm running statistics, no
 * Dropout, no gradients, every sample exactly once, never augmented).
 *
 * <p>Everything else (progress, checkpoints, metrics files, early stopping, the divergence guard, the
 * out-of-memory message) is a {@link Callback}. Every tensor a batch creates lives in a scope
 * closed after the batch, so memory stays flat over any number of epochs.
 *
 * <p>Determinism: before every batch the engine's generator is re-seeded from the run's seed and
 * the batch's number, so Dropout (and anything else random in the network) depends on where the
 * batch is, not on what ran before: a run resumed from a checkpoint draws the same numbers as one
 * that never stopped.
 */
public final class Learner {
    /**
     * @param gradAccum batches whose gradients add up before one optimizer step (1 = none)
     * @param clip maximum global gradient norm (torch's clip_grad_norm_), 0 = no clipping
     * @param seed the run's seed
     */
    public record Options(int gradAccum, double clip, long seed) {
        public Options {
            if (gradAccum < 1) {
                throw new org.convkit.core.ConvkitException("--grad-accum " + gradAccum + ": must be at least 1");
            }
            if (clip < 0) {
                throw new org.convkit.core.ConvkitException("--clip " + clip + ": must be >= 0 (0 = off)");
            }
        }

        /** No accumulation, no clipping, seed 0. */
        public static Options defaults() {
            return new Options(1, 0, 0);
        }
    }

    /**
     * What a learner is made of (DJL's training config): {@link Learner#builder} starts one with
     * the network and the optimizer; every other part has a default.
     */
    public static final class Builder {
        private final ConvNet net;
        private final Optimizer optimizer;
        private Device device = Device.cpu();
        private Loss loss = Loss.of("ce", 0);
        private Schedule schedule = new Constant();
        private double baseLr = 0.1;
        private Options options = Options.defaults();
        private Monitor monitor = Monitor.VALID_ACC;
        private Mixing mixing = Mixing.NONE;
        private final List<Callback> callbacks = new ArrayList<>();

        private Builder(ConvNet net, Optimizer optimizer) {
            this.net = net;
            this.optimizer = optimizer;
        }

        /** Where the batches go (the network's parameters must be there); default CPU. */
        public Builder device(Device d) {
            device = d;
            return this;
        }

        /** The training loss; default cross-entropy without smoothing. */
        public Builder loss(Loss l) {
            loss = l;
            return this;
        }

        /**
         * The learning rate: {@code baseLr} (the peak) times the schedule's factor per optimizer
         * step; default a constant 0.1.
         */
        public Builder schedule(Schedule s, double baseLr) {
            schedule = s;
            this.baseLr = baseLr;
            return this;
        }

        /** What picks the best epoch ({@code checkpoints/best}, early stopping); validation accuracy by default. */
        public Builder monitor(Monitor m) {
            monitor = m;
            return this;
        }

        /** MixUp/CutMix of the training batches; default none. */
        public Builder mixing(Mixing m) {
            mixing = m;
            return this;
        }

        /** Gradient accumulation, clipping and the seed; default {@link Options#defaults()}. */
        public Builder options(Options o) {
            options = o;
            return this;
        }

        /** Callbacks, run in the order added (after those added before). */
        public Builder callbacks(List<? extends Callback> cs) {
            callbacks.addAll(cs);
            return this;
        }

        public Builder callback(Callback c) {
            callbacks.add(c);
            return this;
        }

        public Device device() {
            return device;
        }

        public Loss loss() {
            return loss;
        }

        public Mixing mixing() {
            return mixing;
        }

        public List<Callback> callbacks() {
            return List.copyOf(callbacks);
        }

        public ConvNet net() {
            return net;
        }

        public Optimizer optimizer() {
            return optimizer;
        }

        public Options options() {
            return options;
        }

        public Learner build() {
            return new Learner(this);
        }
    }

    private final ConvNet net;
    private final Device device;
    private final Loss loss;
    private final Optimizer optimizer;
    private final Schedule schedule;
    private final double baseLr;
    private final Options options;
    private final Monitor monitor;
    private final Mixing mixing;
    private final List<Callback> callbacks;
    private final Engine engine;
    private TrainState state;
    private int epochs;
    private double lastLr = Double.NaN;
    private EvalResult lastValidation;
    private String stopReason;
    private final InputBuffers inputs = new InputBuffers();

    private Learner(Builder b) {
        this.engine = Runtime.init();
        this.net = b.net.setEngine(b.net.engine().forTraining());
        this.device = b.device;
        this.loss = b.loss;
        this.optimizer = b.optimizer;
        this.monitor = b.monitor;
        this.mixing = b.mixing;
        this.schedule = b.schedule;
        this.baseLr = b.baseLr;
        this.options = b.options;
        this.callbacks = new ArrayList<>(b.callbacks);
        this.state = TrainState.start(options.seed());
    }

    /**
     * A learner for {@code net} (initialized, parameters on the builder's device) stepping {@code
     * optimizer} (over the network's parameter groups).
     */
    public static Builder builder(ConvNet net, Optimizer optimizer) {
        return new Builder(net, optimizer);
    }

    public ConvNet net() {
        return net;
    }

    public Device device() {
        return device;
    }

    public Optimizer optimizer() {
        return optimizer;
    }

    public Schedule schedule() {
        return schedule;
    }

    public Options options() {
        return options;
    }

    /** What picks the best epoch; {@code state().bestMetric} is its {@link Monitor#score}. */
    public Monitor monitor() {
        return monitor;
    }

    public TrainState state() {
        return state;
    }

    /** Epochs of the current {@link #fit} call's target. */
    public int epochs() {
        return epochs;
    }

    /**
     * Changes the current {@link #fit} call's target: a callback that fits the run to a time
     * budget ({@link TimeBudget}) lengthens or ends it.
     */
    public void setEpochs(int epochs) {
        this.epochs = epochs;
    }

    /** The learning rate the last step used (base group). */
    public double lastLr() {
        return lastLr;
    }

    /** The learning rate the next step takes (base group): the schedule's at this step, times any back-off. */
    public double nextLr() {
        return baseLr * state.lrScale * schedule.lrFactor(state.step);
    }

    /**
     * The validation result of the epoch that just ended (per-position and whole-sequence accuracy
     * for K heads, per-class scores ...), or {@code null} without validation data: what {@code
     * onEpochEnd} callbacks read beyond the {@link EpochResult} row.
     */
    public EvalResult lastValidation() {
        return lastValidation;
    }

    /** The callback of type {@code type} this learner runs, if any (fastai's {@code learn.lr_finder}). */
    public <T extends Callback> java.util.Optional<T> callback(Class<T> type) {
        return callbacks.stream().filter(type::isInstance).map(type::cast).findFirst();
    }

    /**
     * Hands the callbacks the final evaluation of the validation split ({@link
     * Callback#onValidated}): the caller loaded the best checkpoint and evaluated it.
     */
    public void validated(EvalResult validation, org.convkit.data.ImageSource images) {
        for (Callback c : callbacks) {
            c.onValidated(this, validation, images);
        }
    }

    /** Adds a callback (runs after the ones given so far). */
    public void addCallback(Callback c) {
        callbacks.add(c);
    }

    /** Asks fit to stop after the current epoch (early stopping). */
    public void requestStop(String reason) {
        if (stopReason == null) {
            stopReason = reason;
        }
    }

    /** True when no gradients are pending: the last batch ended an accumulation group. */
    public boolean atStepBoundary() {
        return state.batch % options.gradAccum() == 0;
    }

    /**
     * Everything a checkpoint needs besides the weights: the training state and the optimizer's
     * scalars (JSON-able), and the optimizer's tensors (still owned by the optimizer).
     */
    public Map<String, Object> snapshot() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("train", state.toMap());
        m.put("optimizer", optimizer.stateScalars());
        return m;
    }

    /** Puts back what {@link #snapshot()} and the optimizer's tensors held; fit then continues. */
    @SuppressWarnings("unchecked")
    public void restore(Map<String, ?> snapshot, Map<String, NDArray> optimizerTensors) {
        Object t = snapshot.get("train");
        Object o = snapshot.get("optimizer");
        if (!(t instanceof Map) || !(o instanceof Map)) {
            throw new org.convkit.core.ConvkitException("the checkpoint has no training state to resume from");
        }
        optimizer.loadState(optimizerTensors, (Map<String, ?>) o);
        state = TrainState.fromMap((Map<String, ?>) t);
    }

    /**
     * Trains until {@code epochs} epochs are complete (counting those done before a resume), or a
     * callback stops it.
     *
     * @param valid validation batches, or {@code null} for none
     */
    public FitResult fit(int epochs, Batches train, Batches valid) {
        this.epochs = epochs;
        this.stopReason = null;
        List<EpochResult> history = new ArrayList<>();
        for (Callback c : callbacks) {
            c.onFitStart(this);
        }
        try (NDManager base = NDManager.newBaseManager(device)) {
            ParameterStore ps = new ParameterStore(base, false);
            while (state.epoch < this.epochs && stopReason == null) { // a callback may change this.epochs
                history.add(runEpoch(base, ps, train, valid));
            }
        } catch (CancelFit cancelled) {
            stopReason = cancelled.getMessage(); // ends as a finished fit does, below
        } catch (RuntimeException e) {
            FitResult failed = result(history, e.getMessage() == null ? e.toString() : e.getMessage());
            for (Callback c : callbacks) {
                try {
                    c.onFitEnd(this, failed);
                } catch (RuntimeException late) {
                    // the failure that ended the fit is what the user must read, not a report
                    // callback's trouble with a fit that had nothing to report
                    e.addSuppressed(late);
                }
            }
            throw e;
        }
        FitResult done = result(history, stopReason);
        for (Callback c : callbacks) {
            c.onFitEnd(this, done);
        }
        return done;
    }

    private FitResult result(List<EpochResult> history, String reason) {
        boolean anyBest = state.bestEpoch > 0;
        return new FitResult(List.copyOf(history), reason, state.bestEpoch, anyBest ? state.bestMetric : Double.NaN);
    }

    private EpochResult runEpoch(NDManager base, ParameterStore ps, Batches train, Batches valid) {
        int epoch = state.epoch;
        int batches = train.batchCount();
        if (state.batch == 0) {
            state.newEpoch();
        }
        for (Callback c : callbacks) {
            c.onEpochStart(this, epoch, batches);
        }
        double secondsBefore = state.seconds;
        long start = System.nanoTime();
        try (Batches.Pass pass = train.open(epoch, state.batch)) {
            while (true) {
                long waitStart = System.nanoTime();
                if (!pass.hasNext()) {
                    break;
                }
                Batch batch = pass.next();
                long computeStart = System.nanoTime();
                state.waitSeconds += (computeStart - waitStart) / 1e9;
                boolean stepNow = (state.batch + 1) % options.gradAccum() == 0 || state.batch + 1 == batches;
                double batchLoss;
                try {
                    batchLoss = trainBatch(base, ps, batch, epoch, batches, stepNow);
                } catch (CancelEpoch cancelled) {
                    break; // the rest of this epoch's batches are skipped; validation still runs
                }
                pass.recycle(batch);
                state.batch++;
                long now = System.nanoTime();
                state.computeSeconds += (now - computeStart) / 1e9;
                state.seconds = secondsBefore + (now - start) / 1e9;
                Callback.BatchEnd end = batchEnd(epoch, batches, batch.size(), batchLoss);
                for (Callback c : callbacks) {
                    c.onBatchEnd(this, end);
                }
            }
        }
        EvalResult v = valid == null ? null : evaluate(valid, 0);
        lastValidation = v;
        state.seconds = secondsBefore + (System.nanoTime() - start) / 1e9;
        state.epoch++;
        state.batch = 0;
        double score = v == null ? Double.NaN : monitor.score(v);
        if (v != null && score > state.bestMetric) {
            state.bestMetric = score;
            state.bestEpoch = state.epoch;
        }
        double trainTime = state.waitSeconds + state.computeSeconds;
        EpochResult r = new EpochResult(
                state.epoch,
                state.step,
                state.lossSum / Math.max(1, state.sampleCount),
                state.correct / (double) Math.max(1, state.labelCount),
                v == null ? Double.NaN : v.loss(),
                v == null ? Double.NaN : v.accuracy(),
                lastLr,
                state.seconds,
                trainTime > 0 ? state.waitSeconds / trainTime : 0,
                state.computeSeconds + state.waitSeconds > 0 ? state.sampleCount / trainTime : 0,
                Memory.rssMb());
        for (Callback c : callbacks) {
            c.onEpochEnd(this, r);
        }
        return r;
    }

    private Callback.BatchEnd batchEnd(int epoch, int batches, int size, double batchLoss) {
        return new Callback.BatchEnd(epoch, state.batch, batches, size, state.step, batchLoss,
                state.lossSum / Math.max(1, state.sampleCount), state.correct / (double) Math.max(1, state.labelCount),
                state.sampleCount, state.seconds, state.waitSeconds, lastLr);
    }

    /** One batch: forward, loss, backward, and the optimizer step when one is due. Returns the loss. */
    private double trainBatch(NDManager base, ParameterStore ps, Batch batch, int epoch, int batches, boolean stepNow) {
        long number = (long) epoch * batches + state.batch;
        engine.setRandomSeed(Seeds.forBatch(state.seed, number));
        try (NDManager scope = base.newSubManager();
                NDScope tensors = new NDScope()) {
            tensors.suppressNotUsedWarning();
            Mixing.Mixed mixed = mixing.enabled() ? mixing.apply(batch, Seeds.forMixing(state.seed, number)) : null;
            NDArray x = inputs.images(scope, mixed == null ? batch : mixed.batch());
            NDArray y = inputs.labels(scope, batch);
            NDList out;
            double value;
            try (GradientCollector gc = engine.newGradientCollector()) {
                out = net.forward(ps, new NDList(x), true);
                NDArray l = mixed == null ? loss.compute(out, y) : mixed.loss(loss, out, y);
                value = l.getFloat();
                Callback.BatchEnd where = batchEnd(epoch, batches, batch.size(), Double.NaN);
                for (Callback c : callbacks) {
                    c.onLoss(this, where, value);
                }
                gc.backward(options.gradAccum() > 1 ? Autograd.over(l, options.gradAccum()) : l);
            }
            long right;
            try (Autograd.NoGrad ignored = Autograd.noGrad()) {
                right = countCorrect(out, mixed == null ? y : mixed.majorLabels(y));
            }
            state.lossSum += value * batch.size();
            state.sampleCount += batch.size();
            state.correct += right;
            state.labelCount += (long) batch.size() * batch.heads();
            if (stepNow) {
                step();
            }
            return value;
        } catch (CancelFit | CancelEpoch e) {
            throw e;
        } catch (RuntimeException | OutOfMemoryError e) {
            RuntimeException error = e instanceof RuntimeException re ? re : new IllegalStateException(e);
            Callback.BatchEnd where = batchEnd(epoch, batches, batch.size(), Double.NaN);
            for (Callback c : callbacks) {
                error = c.onError(this, where, error);
            }
            throw error;
        }
    }

    /** Clipping, the schedule's learning rate and momentum, the update, zeroed gradients. */
    private void step() {
        if (options.clip() > 0) {
            Gradients.clipGlobalNorm(optimizer, options.clip());
        }
        double lr = nextLr();
        optimizer.setLr(lr);
        double momentum = schedule.momentum(state.step);
        if (!Double.isNaN(momentum)) {
            optimizer.setMomentum(momentum);
        }
        optimizer.step();
        optimizer.zeroGrad();
        lastLr = lr;
        state.step++;
    }

    private static long countCorrect(NDList out, NDArray y) {
        long right = 0;
        for (int k = 0; k < out.size(); k++) {
            NDArray truth = out.size() == 1 ? y.reshape(-1) : y.get(new NDIndex().addAllDim().addIndices(k));
            right += out.get(k).argMax(1).eq(truth).countNonzero().getLong();
        }
        return right;
    }

    /**
     * Evaluates {@code data} in evaluation mode (its pass 0: evaluation splits are the same every
     * time): loss, accuracy and the rest of {@link EvalResult}.
     *
     * @param keep how many confidently misclassified samples to keep for a report's gallery
     */
    public EvalResult evaluate(Batches data, int keep) {
        Metrics metrics = new Metrics(data.classes(), data.heads(), data.blank(), keep);
        try (Batches.Pass pass = data.open(0, 0)) {
            return new Evaluator(net, device).evaluate(() -> pass, metrics);
        }
    }
}
