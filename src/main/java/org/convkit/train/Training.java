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
import org.convkit.train.optim.Optimizer;
import org.convkit.train.optim.Optimizers;
import org.convkit.train.schedule.Schedule;
import org.convkit.train.schedule.Schedules;

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
        return execute(given, null, out);
    }

    /**
     * Continues the run in {@code runDir} from {@code checkpoints/last}: same config (only
     * epochs, device, threads, workers and checkpoint interval may be changed by {@code
     * overrides}), model, optimizer state, schedule position, epoch, batch and random state.
     */
    public static Outcome resume(Path runDir, TrainConfig overrides, PrintStream out) {
        Path configFile = runDir.resolve(RunWriter.CONFIG);
        if (!Files.isRegularFile(configFile)) {
            throw new ConvkitException("--resume " + runDir + ": not a run folder (no " + RunWriter.CONFIG + ")");
        }
        TrainConfig saved = TrainConfig.read(configFile);
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
        return execute(c, runDir, out);
    }

    private static Outcome execute(TrainConfig given, Path resumeDir, PrintStream out) {
        long started = System.nanoTime();
        if (given.threads != null && given.threads > 0) {
            System.setProperty("ai.djl.pytorch.num_threads", String.valueOf(given.threads));
        }
        Engine engine = Runtime.init();
        if (given.threads != null && given.threads > 0) {
            JniUtils.setNumThreads(given.threads); // the engine may already be up (tests, library use)
        }
        String dataSpec = given.data != null ? given.data : Recipe.DEFAULT_DATA;
        long seed = given.seed != null ? given.seed : 0;
        Dataset dataset = Datasets.open(dataSpec, OpenOptions.defaults()
                .withValidSplit(given.validSplit != null ? given.validSplit : 0.1).withSeed(seed));
        if (dataset.train() == null) {
            throw new ConvkitException("--data " + dataSpec + ": no training split found (" + dataset.describe() + ")");
        }
        TrainConfig c = Recipe.resolve(given, dataset);
        Path runDir = resumeDir != null ? resumeDir : Path.of(c.runsDir, c.run);
        out.println(dataset.describe().lines().findFirst().orElse(dataset.name()) + "; model " + c.model
                + " at " + c.imageSize + "x" + c.imageSize + "; run folder " + runDir);

        int heads = dataset.heads();
        int blank = heads > 1 ? dataset.classes().indexOf("blank") : -1;
        Recipe.Shape shape = Recipe.shape(dataset);
        int channels = shape.channels() != null ? shape.channels() : Zoo.get(c.model).defaults().channels();
        Normalize normalize = normalization(c.normalize, dataset.train(), channels, seed);
        Pipeline trainPipeline = Presets.train(Presets.Augment.parse(c.augment), c.imageSize, normalize);
        Pipeline evalPipeline = Presets.eval(c.imageSize, normalize);

        Device device = Runtime.device(c.device);
        engine.setRandomSeed(Learner.seedFor(seed, -1)); // the initial weights
        try (NDManager manager = NDManager.newBaseManager(device);
                Loader trainLoader = new Loader(dataset.train(), trainPipeline, loaderOptions(c, channels, "train", true));
                Loader validLoader = dataset.valid() == null ? null
                        : new Loader(dataset.valid(), evalPipeline, loaderOptions(c, channels, "valid", false));
                Loader testLoader = dataset.test() == null ? null
                        : new Loader(dataset.test(), evalPipeline, loaderOptions(c, channels, "test", false))) {
            ModelOptions mo = modelOptions(c, dataset, channels, heads);
            ConvNet net = Zoo.create(c.model, mo).initialize(manager);
            if (net.options().height() != c.imageSize) {
                throw new ConvkitException("--image-size " + c.imageSize + " is too small for " + c.model + "; use --image-size "
                        + net.options().height() + " or more");
            }
            LoaderBatches train = new LoaderBatches(trainLoader, dataset.classes(), heads, blank);
            LoaderBatches valid = validLoader == null ? null : new LoaderBatches(validLoader, dataset.classes(), heads, blank);
            LoaderBatches test = testLoader == null ? null : new LoaderBatches(testLoader, dataset.classes(), heads, blank);
            if (train.batchCount() == 0) {
                throw new ConvkitException("--batch-size " + c.batchSize + " is larger than the training split ("
                        + dataset.train().size() + " samples); use a smaller one");
            }

            Optimizer optimizer = Optimizers.create(c.optimizer, ParamGroups.all(net, c.weightDecay), manager,
                    new Optimizers.Settings(c.momentum, c.nesterov, c.weightDecay));
            long stepsPerEpoch = (train.batchCount() + c.gradAccum - 1) / c.gradAccum;
            Schedule schedule = Schedules.create(c.schedule, c.epochs, stepsPerEpoch, c.warmup, c.stepEpochs, c.gamma);
            Loss loss = Loss.of(c.loss, c.labelSmoothing);

            TrainingState resumed = resumeDir == null ? null : lastCheckpoint(runDir, net, manager);
            RunWriter run = resumed == null ? RunWriter.create(runDir) : RunWriter.resume(runDir, resumed.epoch());
            run.writeConfig(c.toMap());
            ModelInfo info = new ModelInfo(dataset.classes(), normalize.forChannels(channels).mean(),
                    normalize.forChannels(channels).std(), Map.of(EVAL_TRANSFORMS,
                            evalPipeline.withNormalize(Normalize.NONE).spec(), "dataset", dataset.name(),
                            "run", runDir.toString()));
            List<Callback> callbacks = callbacks(c, run, info, mo, out);
            Learner learner = new Learner(net, device, loss, optimizer, schedule, c.lr,
                    new Learner.Options(c.gradAccum, c.clip, seed), callbacks);
            if (resumed != null) {
                learner.restore(resumed.state(), resumed.tensors());
                out.printf(Locale.ROOT, "resuming after epoch %d%s%n", learner.state().epoch,
                        learner.state().batch > 0 ? ", batch " + learner.state().batch + " of epoch " + (learner.state().epoch + 1) : "");
            }
            out.printf(Locale.ROOT, "%s, lr %.3g, %s, batch %d, %d epochs, augment %s, %d threads%n",
                    optimizer.name(), c.lr, schedule.describe(), c.batchSize, c.epochs, c.augment, c.threads);
            FitResult fit;
            try {
                fit = learner.fit(c.epochs, train, valid);
            } finally {
                writeSkipped(run, dataset, trainLoader, validLoader, testLoader);
            }
            Outcome outcome = finish(c, run, learner, fit, dataset, valid, test, started, out);
            optimizer.close();
            return outcome;
        }
    }

    /** Loads checkpoints/last of {@code runDir} into {@code net}; its training state for the Learner. */
    private static TrainingState lastCheckpoint(Path runDir, ConvNet net, NDManager manager) {
        Path last = runDir.resolve(RunWriter.CHECKPOINTS).resolve("last");
        if (!Checkpoint.exists(last)) {
            throw new ConvkitException("--resume " + runDir + ": no checkpoints/last to resume from"
                    + " (the run stopped before its first checkpoint); start it again");
        }
        Checkpoint.loadInto(last, net);
        return Checkpoint.readTraining(last, manager).orElseThrow(() -> new ConvkitException(
                "--resume " + runDir + ": checkpoints/last has no training state"));
    }

    /** Progress, metrics files, checkpoints, the NaN guard, the out-of-memory message, early stop. */
    private static List<Callback> callbacks(TrainConfig c, RunWriter run, ModelInfo info, ModelOptions mo, PrintStream out) {
        Checkpoints checkpoints = new Checkpoints(run, info, c.checkpointMinutes, c.checkpointBatches);
        List<Callback> callbacks = new ArrayList<>();
        callbacks.add(Progress.onConsole(out));
        callbacks.add(new MetricsLog(run));
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

    private static Loader.Options loaderOptions(TrainConfig c, int channels, String split, boolean training) {
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
            default -> Normalize.preset(spec).forChannels(channels);
        };
    }

    private static void writeSkipped(RunWriter run, Dataset dataset, Loader... loaders) {
        List<String[]> rows = new ArrayList<>();
        for (Skipped s : dataset.skipped()) {
            rows.add(new String[] {s.split(), s.id(), s.reason() + " (" + s.file() + ")"});
        }
        for (Loader l : loaders) {
            if (l != null) {
                for (Loader.Skipped s : l.skipped()) {
                    rows.add(new String[] {s.split(), s.id(), s.reason()});
                }
            }
        }
        run.writeSkipped(rows);
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
