package org.convkit.train;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.convkit.core.ConvkitException;
import org.convkit.core.Runtime;
import org.convkit.data.Dataset;
import org.convkit.data.Datasets;
import org.convkit.data.ImageSource;
import org.convkit.data.Loader;
import org.convkit.data.OpenOptions;
import org.convkit.data.Skipped;
import org.convkit.data.image.NormStats;
import org.convkit.data.image.Normalize;
import org.convkit.data.image.Pipeline;
import org.convkit.data.image.Presets;
import org.convkit.eval.EvalResult;
import org.convkit.eval.Metrics;
import org.convkit.model.ConvNet;
import org.convkit.model.ModelOptions;
import org.convkit.model.Zoo;
import org.convkit.model.weights.Checkpoint;
import org.convkit.model.weights.ModelInfo;
import org.convkit.model.weights.TrainingState;
import org.convkit.report.RunReport;
import org.convkit.train.callback.Checkpoints;
import org.convkit.train.callback.EarlyStopping;
import org.convkit.train.callback.MetricsLog;
import org.convkit.train.callback.NanGuard;
import org.convkit.train.callback.OutOfMemory;
import org.convkit.train.callback.Progress;
import org.convkit.train.loss.Loss;
import org.convkit.train.lrfind.LrFindFiles;
import org.convkit.train.lrfind.LrFinder;
import org.convkit.train.optim.Optimizer;
import org.convkit.train.optim.Optimizers;
import org.convkit.train.schedule.Schedule;

/**
 * A whole training run as {@code convkit train} does it: open the data, resolve the config, build
 * the network, the loaders, optimizer, schedule and callbacks, fit, then evaluate the best
 * checkpoint on the validation split (the report) and the test split (the number people quote).
 * Everything lands in the run folder; {@link #resume} continues a run from {@code
 * checkpoints/last}.
 */
public final class Training {
    /** Key of ModelInfo.extra the evaluation pipeline is saved under (what eval/predict read). */
    public static final String EVAL_TRANSFORMS = "eval_transforms";

    /**
     * What a run produced.
     *
     * @param runDir the run folder
     * @param config the resolved config
     * @param fit the epochs run
     * @param validation the best checkpoint on the validation split, or null
     * @param test the best checkpoint on the test split, or null when there is none
     * @param report report.html, or null if it could not be written
     */
    public record Outcome(Path runDir, TrainConfig config, FitResult fit, EvalResult validation, EvalResult test,
            Path report) {}

    private Training() {}

    /** Trains a new run from {@code given} (missing values from {@link Recipe}). */
    public static Outcome run(TrainConfig given, PrintStream out) {
        return run(given, TrainingPlan.FROM_SCRATCH, out);
    }

    /** Trains a new run from {@code given} the way {@code plan} says (fine-tuning, ...). */
    public static Outcome run(TrainConfig given, TrainingPlan plan, PrintStream out) {
        return execute(given, null, plan, out);
    }

    /**
     * Continues the run in {@code runDir} from {@code checkpoints/last}: same config (only
     * epochs, device, threads, workers and checkpoint interval may be changed by {@code
     * overrides}), model, optimizer state, schedule position, epoch, batch and random state.
     */
    public static Outcome resume(Path runDir, TrainConfig overrides, PrintStream out) {
        return resume(runDir, overrides, TrainingPlan.FROM_SCRATCH, out);
    }

    /**
     * As {@link #resume(Path, TrainConfig, PrintStream)} for a run made with {@code plan} (built
     * from the same saved config; the keys it owns are left out of the {@link TrainConfig}).
     */
    public static Outcome resume(Path runDir, TrainConfig overrides, TrainingPlan plan, PrintStream out) {
        Path configFile = runDir.resolve(RunWriter.CONFIG);
        if (!Files.isRegularFile(configFile)) {
            throw new ConvkitException("--resume " + runDir + ": not a run folder (no " + RunWriter.CONFIG + ")");
        }
        TrainConfig saved = TrainConfig.read(configFile, plan.configKeys());
        Map<String, Object> changes = overrides.toMap();
        for (String k : List.of("epochs", "device", "threads", "workers", "checkpoint-minutes", "checkpoint-batches")) {
            changes.remove(k);
        }
        changes.entrySet().removeIf(e -> e.getValue().equals(saved.toMap().get(e.getKey())));
        if (!changes.isEmpty()) {
            throw new ConvkitException("--resume " + runDir + ": cannot change " + String.join(", ", changes.keySet())
                    + " of a run; only --epochs, --device, --threads, --workers and --checkpoint-minutes."
                    + " Start a new --run to train differently.");
        }
        TrainConfig c = saved.overlay(overrides);
        if (overrides.epochs != null && !overrides.epochs.equals(saved.epochs)) {
            out.printf(Locale.ROOT, "note: --epochs %d instead of %d: the %s schedule is recomputed for %d epochs,"
                    + " so this run no longer repeats an uninterrupted one exactly%n", overrides.epochs, saved.epochs,
                    saved.schedule, overrides.epochs);
        }
        c.runsDir = runDir.toAbsolutePath().getParent().toString();
        c.run = runDir.toAbsolutePath().getFileName().toString();
        return execute(c, runDir, plan, out);
    }

    /**
     * A run set up to the point where training starts: data opened, defaults resolved, loaders,
     * network (built, prepared by the plan, resumed weights loaded), the run folder when one is
     * written. {@link #execute} trains it; {@code convkit lr-find} only sweeps it. Closing frees
     * the loaders and every tensor.
     */
    public static final class Session implements AutoCloseable {
        public final TrainConfig config;
        public final Dataset dataset;
        public final TrainingPlan plan;
        public final ConvNet net;
        public final Device device;
        public final NDManager manager;
        public final Normalize normalize;
        public final Pipeline evalPipeline;
        public final int channels;
        public final Path runDir;
        /** The run folder's writer, or null when the session writes none (lr-find). */
        public final RunWriter run;
        /** Images of the splits; {@code valid} and {@code test} may be null. */
        public final LoaderBatches train;
        public final LoaderBatches valid;
        public final LoaderBatches test;
        public final TrainingPlan.Setup setup;
        /** The state to continue from when resuming, else null. */
        public final TrainingState resumed;
        private final List<Loader> loaders = new ArrayList<>();

        private Session(TrainConfig given, Path resumeDir, TrainingPlan plan, boolean writeRun, PrintStream out) {
            this.plan = plan;
            if (given.threads != null && given.threads > 0) {
                System.setProperty("ai.djl.pytorch.num_threads", String.valueOf(given.threads));
            }
            Engine engine = Runtime.init();
            if (given.threads != null && given.threads > 0) {
                JniUtils.setNumThreads(given.threads); // the engine may already be up (tests, library use)
            }
            Runtime.device(given.device); // a bad --device fails before any data is read
            String dataSpec = given.data != null ? given.data : Recipe.DEFAULT_DATA;
            long seed = given.seed != null ? given.seed : 0;
            dataset = Datasets.open(dataSpec, OpenOptions.defaults()
                    .withValidSplit(given.validSplit != null ? given.validSplit : 0.1).withSeed(seed)
                    .withHeads(given.heads != null ? given.heads : 0));
            if (dataset.train() == null) {
                throw new ConvkitException("--data " + dataSpec + ": no training split found (" + dataset.describe() + ")");
            }
            if (given.heads != null && dataset.heads() == 1 && given.heads != 1) {
                throw new ConvkitException("--heads " + given.heads + ": " + dataSpec + " has one label per image; --heads"
                        + " is for digit sequences (a Tianchi-style JSON label file)");
            }
            TrainConfig c = Recipe.resolve(plan.settle(given, dataset), dataset);
            config = c;
            runDir = resumeDir != null ? resumeDir : Path.of(c.runsDir, c.run);
            out.println(dataset.describe().lines().findFirst().orElse(dataset.name()) + "; model " + c.model
                    + " at " + c.imageSize + "x" + c.imageSize + (writeRun ? "; run folder " + runDir : ""));

            int heads = dataset.heads();
            int blank = heads > 1 ? dataset.classes().indexOf("blank") : -1;
            Recipe.Shape shape = Recipe.shape(dataset);
            channels = shape.channels() != null ? shape.channels() : Zoo.get(c.model).defaults().channels();
            normalize = normalization(c.normalize, dataset.train(), channels, seed);
            Pipeline trainPipeline = Presets.train(Presets.Augment.parse(c.augment), c.imageSize, normalize);
            evalPipeline = Presets.eval(c.imageSize, normalize);

            device = Runtime.device(c.device);
            engine.setRandomSeed(Learner.seedFor(seed, -1)); // the initial weights
            manager = NDManager.newBaseManager(device);
            try {
                Loader trainLoader = open(dataset.train(), trainPipeline, loaderOptions(c, channels, "train", true));
                Loader validLoader = dataset.valid() == null ? null
                        : open(dataset.valid(), evalPipeline, loaderOptions(c, channels, "valid", false));
                Loader testLoader = dataset.test() == null ? null
                        : open(dataset.test(), evalPipeline, loaderOptions(c, channels, "test", false));
                ModelOptions mo = modelOptions(c, dataset, channels, heads);
                net = Zoo.create(c.model, mo).initialize(manager);
                if (net.options().height() != c.imageSize) {
                    throw new ConvkitException("--image-size " + c.imageSize + " is too small for " + c.model
                            + "; use --image-size " + net.options().height() + " or more");
                }
                train = new LoaderBatches(trainLoader, dataset.classes(), heads, blank);
                valid = validLoader == null ? null : new LoaderBatches(validLoader, dataset.classes(), heads, blank);
                test = testLoader == null ? null : new LoaderBatches(testLoader, dataset.classes(), heads, blank);
                if (train.batchCount() == 0) {
                    throw new ConvkitException("--batch-size " + c.batchSize + " is larger than the training split ("
                            + dataset.train().size() + " samples); use a smaller one");
                }
                Path last = runDir.resolve(RunWriter.CHECKPOINTS).resolve(org.convkit.model.weights.ModelSource.LAST);
                TrainingState state = null;
                if (!writeRun) {
                    run = null;
                } else if (resumeDir == null) {
                    run = RunWriter.create(runDir);
                } else {
                    if (!Checkpoint.exists(last)) {
                        throw new ConvkitException("--resume " + runDir + ": no checkpoints/last to resume from"
                                + " (the run stopped before its first checkpoint); start it again");
                    }
                    state = Checkpoint.readTraining(last, manager).orElseThrow(() -> new ConvkitException(
                            "--resume " + runDir + ": checkpoints/last has no training state"));
                    run = RunWriter.resume(runDir, state.epoch());
                }
                resumed = state;
                setup = new TrainingPlan.Setup(c, dataset, net, device, manager, run, trainPipeline, evalPipeline,
                        channels, resumed != null, out, loaders);
                plan.prepare(setup);
                if (resumed != null) {
                    Checkpoint.loadInto(last, net);
                }
            } catch (RuntimeException e) {
                close();
                throw e;
            }
        }

        private Loader open(ImageSource source, Pipeline pipeline, Loader.Options options) {
            Loader l = new Loader(source, pipeline, options);
            loaders.add(l);
            return l;
        }

        /** The samples every loader of the session skipped (and those left out when opening). */
        List<Skipped> skipped() {
            // the plan's loaders are in this list too: Setup shares it
            List<Skipped> all = new ArrayList<>(dataset.skipped());
            loaders.forEach(l -> all.addAll(l.skipped()));
            return all;
        }

        /** The optimizer settings of the config. */
        public Optimizers.Settings optimizerSettings() {
            return new Optimizers.Settings(config.momentum, config.nesterov, config.weightDecay);
        }

        /**
         * The learning-rate range test on {@code batches} with the plan's parameter groups (frozen
         * parts stay frozen); weights, statistics and optimizer state restored afterwards.
         */
        public LrFinder.Result findLr(Batches batches, LrFinder.Settings settings) {
            try (Optimizer probe = Optimizers.create(config.optimizer, plan.paramGroups(net, config), manager,
                    optimizerSettings())) {
                return LrFinder.run(net, device, batches, Loss.of(config.loss, config.labelSmoothing), probe, settings,
                        config.seed != null ? config.seed : 0, null);
            }
        }

        @Override
        public void close() {
            loaders.forEach(Loader::close);
            manager.close();
        }
    }

    /**
     * Sets a run up to the point where training starts (see {@link Session}).
     *
     * @param resumeDir the run to continue, or null for a new one
     * @param writeRun create (or reopen) the run folder; false for a session that only looks
     */
    public static Session open(TrainConfig given, Path resumeDir, TrainingPlan plan, boolean writeRun, PrintStream out) {
        return new Session(given, resumeDir, plan, writeRun, out);
    }

    private static Outcome execute(TrainConfig given, Path resumeDir, TrainingPlan plan, PrintStream out) {
        long started = System.nanoTime();
        try (Session s = open(given, resumeDir, plan, true, out)) {
            TrainConfig c = s.config;
            ConvNet net = s.net;
            RunWriter run = s.run;
            Path runDir = s.runDir;
            long seed = c.seed;
            Batches trainData = plan.trainBatches(s.setup, s.train);
            Batches validData = s.valid == null ? null : plan.validBatches(s.setup, s.valid);
            if (c.lrAuto()) {
                out.println("--lr auto: running the learning-rate range test (lr-find) first ...");
                LrFinder.Result r = s.findLr(trainData, LrFinder.Settings.defaults());
                Path png = LrFindFiles.write(r, runDir);
                out.println(LrFindFiles.describe(r));
                out.printf(Locale.ROOT, "--lr auto: training with lr %.3g (plot: %s)%n", r.suggestion(), png);
                c.lr = r.suggestion();
            }
            run.writeConfig(plan.config(c));
            Optimizer optimizer = Optimizers.create(c.optimizer, plan.paramGroups(net, c), s.manager,
                    s.optimizerSettings());
            long stepsPerEpoch = (trainData.batchCount() + c.gradAccum - 1) / c.gradAccum;
            Schedule schedule = plan.schedule(c, stepsPerEpoch);
            Loss loss = Loss.of(c.loss, c.labelSmoothing);

            Normalize norm = s.normalize.forChannels(s.channels);
            ModelInfo info = new ModelInfo(s.dataset.classes(), norm.mean(), norm.std(), Map.of(EVAL_TRANSFORMS,
                    s.evalPipeline.withNormalize(Normalize.NONE).spec(), "dataset", s.dataset.name(),
                    "run", runDir.toString()));
            List<EpochColumns> columns = new ArrayList<>(plan.columns(s.setup));
            columns.add(MetricsLog.positionAccuracy());
            List<Callback> callbacks = callbacks(c, run, info, net.options(), columns, out);
            callbacks.addAll(plan.callbacks(s.setup));
            Learner learner = new Learner(net, s.device, loss, optimizer, schedule, c.lr,
                    new Learner.Options(c.gradAccum, c.clip, seed), callbacks);
            if (s.resumed != null) {
                learner.restore(s.resumed.state(), s.resumed.tensors());
                out.printf(Locale.ROOT, "resuming after epoch %d%s%n", learner.state().epoch,
                        learner.state().batch > 0 ? ", batch " + learner.state().batch + " of epoch " + (learner.state().epoch + 1) : "");
            }
            out.printf(Locale.ROOT, "%s, lr %.3g, %s, batch %d, %d epochs, augment %s, %d threads%n",
                    optimizer.name(), c.lr, schedule.describe(), c.batchSize, c.epochs, c.augment, c.threads);
            FitResult fit;
            try {
                fit = plan.fit(learner, trainData, validData, s.setup);
            } finally {
                run.writeSkipped(s.skipped());
            }
            plan.afterFit(s.setup);
            Outcome outcome = finish(c, run, learner, fit, s.dataset, s.valid, s.test, started, out);
            optimizer.close();
            return outcome;
        }
    }

    /** Progress, metrics files, checkpoints, the NaN guard, the out-of-memory message, early stop. */
    private static List<Callback> callbacks(TrainConfig c, RunWriter run, ModelInfo info, ModelOptions mo,
            List<EpochColumns> columns, PrintStream out) {
        Checkpoints checkpoints = new Checkpoints(run, info, c.checkpointMinutes, c.checkpointBatches);
        List<Callback> callbacks = new ArrayList<>();
        callbacks.add(Progress.onConsole(out));
        callbacks.add(new MetricsLog(run, columns));
        callbacks.add(checkpoints);
        callbacks.add(new NanGuard(checkpoints));
        callbacks.add(new OutOfMemory(c.batchSize, c.gradAccum, mo.inputSpec()));
        if (c.patience != null) {
            callbacks.add(new EarlyStopping(c.patience));
        }
        return callbacks;
    }

    /**
     * The numbers people quote, from the best checkpoint (by validation accuracy): the validation
     * evaluation with its report, and the test accuracy, printed with the report's path.
     */
    private static Outcome finish(TrainConfig c, RunWriter run, Learner learner, FitResult fit, Dataset dataset,
            Batches valid, Batches test, long started, PrintStream out) {
        if (fit.stopReason() != null) {
            out.println(fit.stopReason());
        }
        if (Checkpoint.exists(run.bestCheckpoint())) {
            Checkpoint.loadInto(run.bestCheckpoint(), learner.net());
        }
        EvalResult validResult = null;
        Path report = null;
        if (valid != null) {
            validResult = learner.evaluate(valid, Metrics.DEFAULT_KEEP);
            try {
                report = RunReport.write(run.dir(), validResult, dataset.valid());
            } catch (IOException | RuntimeException e) {
                out.println("warning: the report could not be written: " + e.getMessage());
            }
        }
        EvalResult testResult = test == null ? null : learner.evaluate(test, 0);
        if (testResult != null) {
            writeJson(run.dir().resolve("test.json"), testResult);
        }
        String headline = testResult != null
                ? String.format(Locale.ROOT, "test accuracy %.2f%% (%d images, best epoch %d)",
                        100 * testResult.accuracy(), testResult.samples(), fit.bestEpoch())
                : validResult != null
                        ? String.format(Locale.ROOT, "valid accuracy %.2f%% (no test split)", 100 * validResult.accuracy())
                        : "trained";
        out.printf(Locale.ROOT, "%s in %.1f min%n", headline, (System.nanoTime() - started) / 60e9);
        out.println("report: " + (report != null ? report : run.dir()));
        return new Outcome(run.dir(), c, fit, validResult, testResult, report);
    }

    static Loader.Options loaderOptions(TrainConfig c, int channels, String split, boolean training) {
        Loader.Options o = training ? Loader.Options.train(c.batchSize, c.seed) : Loader.Options.eval(c.batchSize);
        return o.withChannels(channels).withSplit(split).withWorkers(c.workers).withPrefetch(Math.max(2, 2 * c.workers));
    }

    private static ModelOptions modelOptions(TrainConfig c, Dataset dataset, int channels, int heads) {
        ModelOptions o = Zoo.get(c.model).defaults()
                .withInput(channels, c.imageSize, c.imageSize)
                .withClasses(dataset.classes().size())
                .withHeads(heads);
        if (c.width != null) {
            o = o.withWidthMultiplier(c.width);
        }
        if (c.arch != null) {
            o = o.withArch(c.arch);
        }
        if (c.fc != null) {
            o = o.withFc(c.fc);
        }
        if (c.dropout != null) {
            o = o.withDropout(c.dropout);
        }
        if (c.stem != null) {
            o = o.withStem(c.stem);
        }
        if (c.activation != null) {
            o = o.withActivation(c.activation);
        }
        return o;
    }

    /** "auto": statistics of 1000 training images; "none"; or a preset name ("imagenet"). */
    private static Normalize normalization(String spec, ImageSource train, int channels, long seed) {
        return switch (spec) {
            case "auto" -> NormStats.compute(train, channels, 1000, seed);
            case "none" -> Normalize.NONE.forChannels(channels);
            default -> Normalize.parse(spec, "--normalize").forChannels(channels);
        };
    }

    private static void writeJson(Path file, Object value) {
        try {
            byte[] bytes = new com.fasterxml.jackson.databind.ObjectMapper().writerWithDefaultPrettyPrinter()
                    .writeValueAsBytes(value);
            org.convkit.core.AtomicFiles.write(file, o -> o.write(bytes));
        } catch (IOException e) {
            throw new ConvkitException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }
}
