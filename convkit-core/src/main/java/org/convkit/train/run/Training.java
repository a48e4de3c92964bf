package org.convkit.train.run;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.convkit.core.ConvkitException;
import org.convkit.core.EngineSettings;
import org.convkit.core.Json;
import org.convkit.core.RunFiles;
import org.convkit.core.Runtime;
import org.convkit.core.Seeds;
import org.convkit.data.ClassNames;
import org.convkit.data.Dataset;
import org.convkit.data.ImageSource;
import org.convkit.data.OpenOptions;
import org.convkit.data.Skipped;
import org.convkit.data.image.NormStats;
import org.convkit.data.image.Normalize;
import org.convkit.data.image.Pipeline;
import org.convkit.data.image.PipelineParser;
import org.convkit.data.image.Presets;
import org.convkit.data.load.Datasets;
import org.convkit.data.load.Loader;
import org.convkit.eval.Baseline;
import org.convkit.eval.EvalResult;
import org.convkit.eval.Labels;
import org.convkit.eval.Metrics;
import org.convkit.eval.ModelInput;
import org.convkit.eval.RunConfigFile;
import org.convkit.model.ConvNet;
import org.convkit.model.ModelOptions;
import org.convkit.model.Zoo;
import org.convkit.model.engine.EngineCheck;
import org.convkit.model.weights.Checkpoint;
import org.convkit.model.weights.ModelInfo;
import org.convkit.model.weights.TrainingState;
import org.convkit.train.Batches;
import org.convkit.train.Callback;
import org.convkit.train.TimeBudget;
import org.convkit.train.EpochColumns;
import org.convkit.train.FitResult;
import org.convkit.train.Learner;
import org.convkit.train.Monitor;
import org.convkit.train.LoaderBatches;
import org.convkit.train.Recipe;
import org.convkit.train.RunWriter;
import org.convkit.train.TrainConfig;
import org.convkit.train.TrainingPlan;
import org.convkit.train.callback.Checkpoints;
import org.convkit.train.callback.DivergenceGuard;
import org.convkit.train.callback.EarlyStopping;
import org.convkit.train.callback.MetricsLog;
import org.convkit.train.callback.OutOfMemory;
import org.convkit.train.callback.ReportCallback;
import org.convkit.train.callback.TrainingProgress;
import org.convkit.train.loss.Loss;
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
        Map<String, Object> savedMap = savedConfig(runDir);
        savedMap.keySet().removeAll(plan.configKeys());
        TrainConfig saved = TrainConfig.fromMap(savedMap, runDir.resolve(RunFiles.CONFIG).toString());
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
        if (saved.budget() != null) {
            // the epochs a budget fitted and the time it spent are not kept in the checkpoint, so a
            // resumed run would restart the clock on a schedule of another length
            throw new ConvkitException("--resume " + runDir + ": the run was fitted to --budget " + saved.budget()
                    + ", which a resumed run cannot repeat; start a new --run (with --budget for the time left)");
        }
        if (overrides.epochs() != null && !overrides.epochs().equals(saved.epochs())) {
            out.printf(Locale.ROOT, "note: --epochs %d instead of %d: the %s schedule is recomputed for %d epochs,"
                    + " so this run no longer repeats an uninterrupted one exactly%n", overrides.epochs(),
                    saved.epochs(), saved.schedule(), overrides.epochs());
        }
        TrainConfig c = saved.overlay(overrides).toBuilder()
                .runsDir(runDir.toAbsolutePath().getParent().toString())
                .run(runDir.toAbsolutePath().getFileName().toString())
                .build();
        return execute(c, runDir, plan, out);
    }

    /**
     * The config a run in {@code runDir} saved (flag names as keys, every key of its plan too), to
     * continue it: what {@link #resume} and a plan's own resume ({@code finetune --resume}) read.
     *
     * @throws ConvkitException when {@code runDir} is not a run folder
     */
    public static Map<String, Object> savedConfig(Path runDir) {
        if (!Files.isRegularFile(runDir.resolve(RunFiles.CONFIG))) {
            throw new ConvkitException("--resume " + runDir + ": not a run folder (no " + RunFiles.CONFIG + ")");
        }
        return RunConfigFile.read(runDir);
    }

    /**
     * A run set up to the point where training starts: data opened, defaults resolved, loaders,
     * network (built, prepared by the plan, resumed weights loaded), the run folder when one is
     * written. {@link #execute} trains it; {@code convkit lr-find} only sweeps it. Closing frees
     * the loaders and every tensor.
     *
     * <p>{@link Training#open} sets it up in named steps, in this order: {@link #startEngine},
     * {@link #openData}, {@link #resolveConfig}, {@link #normalization}, {@link #openLoaders},
     * {@link #buildNetwork}, {@link #openRunFolder}, {@link #prepareNetwork}.
     */
    public static final class Session implements AutoCloseable {
        private final TrainingPlan plan;
        private final PrintStream out;
        private final List<Loader> loaders = new ArrayList<>();
        private Dataset dataset;
        private TrainConfig config;
        private Device device;
        private NDManager manager;
        private int channels;
        private Normalize normalize;
        private Pipeline trainPipeline;
        private Pipeline evalPipeline;
        private LoaderBatches train;
        private LoaderBatches valid;
        private LoaderBatches test;
        private ConvNet net;
        private Path runDir;
        private RunWriter run;
        private TrainingState resumed;
        private TrainingPlan.Setup setup;

        private Session(TrainingPlan plan, PrintStream out) {
            this.plan = plan;
            this.out = out;
        }

        /** The resolved config (every default filled in). */
        public TrainConfig config() {
            return config;
        }

        public Dataset dataset() {
            return dataset;
        }

        public TrainingPlan plan() {
            return plan;
        }

        public ConvNet net() {
            return net;
        }

        public Device device() {
            return device;
        }

        /** Where the network's and the run's tensors live; closed with the session. */
        public NDManager manager() {
            return manager;
        }

        /** The normalization of every pipeline, for {@link #channels()} channels. */
        public Normalize normalize() {
            return normalize;
        }

        public Pipeline evalPipeline() {
            return evalPipeline;
        }

        /** Input channels the loaders deliver. */
        public int channels() {
            return channels;
        }

        /** The run folder (also when none is written). */
        public Path runDir() {
            return runDir;
        }

        /** The run folder's writer, or null when the session writes none (lr-find). */
        public RunWriter run() {
            return run;
        }

        /** Images of the training split. */
        public LoaderBatches train() {
            return train;
        }

        /** Images of the validation split, or null. */
        public LoaderBatches valid() {
            return valid;
        }

        /** Images of the test split, or null. */
        public LoaderBatches test() {
            return test;
        }

        /** What the plan sees of the session. */
        public TrainingPlan.Setup setup() {
            return setup;
        }

        /** The state to continue from when resuming, else null. */
        public TrainingState resumed() {
            return resumed;
        }

        /** Step 1: compute threads, the engine, and a bad --device refused before any data is read. */
        private void startEngine(TrainConfig given) {
            if (given.threads() != null && given.threads() > 0) {
                System.setProperty("ai.djl.pytorch.num_threads", String.valueOf(given.threads()));
            }
            Runtime.init();
            if (given.threads() != null && given.threads() > 0) {
                JniUtils.setNumThreads(given.threads()); // the engine may already be up (tests, library use)
            }
            Runtime.device(given.device());
        }

        /** Step 2: the dataset and its splits. */
        private void openData(TrainConfig given) {
            String dataSpec = given.data() != null ? given.data() : Recipe.DEFAULT_DATA;
            dataset = Datasets.open(dataSpec, openOptions(given)
                    .withValidSplit(given.validSplit() != null ? given.validSplit() : Recipe.VALID_SPLIT)
                    .withSeed(given.seed() != null ? given.seed() : Recipe.SEED)
                    .withHeads(given.heads() != null ? given.heads() : 0));
            if (dataset.train() == null) {
                throw new ConvkitException("--data " + dataSpec + ": no training split found (" + dataset.describe() + ")");
            }
            if (given.heads() != null && dataset.heads() == 1 && given.heads() != 1) {
                throw new ConvkitException("--heads " + given.heads() + ": " + dataSpec + " has one label per image; --heads"
                        + " is for digit sequences (a Tianchi-style JSON label file)");
            }
        }

        /** How {@code given} says the data is opened: labels, images, class names, downloads. */
        private static OpenOptions openOptions(TrainConfig given) {
            OpenOptions o = OpenOptions.defaults().withLabelsFrom(given.labelsFrom())
                    .withAcquire(!Boolean.TRUE.equals(given.noDownload()));
            if (given.images() != null) {
                o = o.withImages(Path.of(given.images()));
            }
            if (given.labels() != null) {
                o = o.withLabels(Path.of(given.labels()));
            }
            if (given.classNames() != null) {
                o = o.withClasses(ClassNames.parse(given.classNames(), "--class-names"));
            }
            return o;
        }

        /**
         * Step 3: every value not given filled in, the plan's first ({@link TrainingPlan#settle}),
         * then the {@link Recipe}'s; the input channels.
         *
         * @return the plan's normalization when it has one and none was given, else null
         */
        private Normalize resolveConfig(TrainConfig given, Path resumeDir, boolean writeRun) {
            TrainConfig settled = plan.settle(given, dataset);
            Normalize planned = settled.normalize() == null ? plan.normalization() : null;
            if (planned != null) {
                settled = settled.toBuilder().normalize(planned.flagValue()).build();
            }
            Recipe.Resolved resolved = Recipe.explain(settled, dataset, plan.pretrained());
            config = resolved.config();
            if (resumeDir == null) {
                // what was chosen from the data, so a user knows what to change
                resolved.reasons().forEach(r -> out.println("recipe: " + r));
            }
            runDir = resumeDir != null ? resumeDir : RunFiles.runFolder(config.runsDir(), config.run());
            out.println(dataset.describe().lines().findFirst().orElse(dataset.name()) + "; model " + config.model()
                    + " at " + config.imageSize() + "x" + config.imageSize() + (writeRun ? "; run folder " + runDir : ""));
            Integer seen = resolved.data().channels();
            channels = seen != null ? seen : Zoo.get(config.model()).defaults().channels();
            return planned;
        }

        /**
         * Step 4: the normalization ({@code auto}: statistics of 1000 training images; {@code
         * none}; a preset or explicit values; or the plan's) and the two pipelines.
         */
        private void normalization(Normalize planned) {
            String spec = config.normalize();
            Normalize n = planned != null ? planned
                    : spec.equals("auto") ? NormStats.compute(dataset.train(), channels, 1000, config.seed())
                    : spec.equals("none") ? Normalize.NONE
                    : Normalize.parse(spec, "--normalize");
            normalize = n.forChannels(channels);
            trainPipeline = config.transforms() != null ? given(config.transforms(), "--transforms", normalize)
                    : Presets.train(Presets.Augment.parse(config.augment()), config.imageSize(), normalize);
            evalPipeline = config.evalTransforms() != null ? given(config.evalTransforms(), "--eval-transforms", normalize)
                    : Presets.eval(config.imageSize(), normalize);
            if (evalPipeline.isRandom()) {
                throw new ConvkitException("--eval-transforms " + config.evalTransforms() + ": evaluation never augments;"
                        + " drop the random steps (they belong in --transforms)");
            }
            for (Pipeline p : List.of(trainPipeline, evalPipeline)) {
                int[] hw = p.fixedSize();
                if (hw == null || hw[0] != config.imageSize() || hw[1] != config.imageSize()) {
                    throw new ConvkitException("the transforms " + p.spec() + " give " + (hw == null ? "a size that follows"
                            + " each image" : hw[0] + "x" + hw[1]) + " images but the network takes " + config.imageSize() + "x"
                            + config.imageSize() + ": end the pipeline with centercrop=" + config.imageSize() + " or resize="
                            + config.imageSize() + "x" + config.imageSize() + ", or set --image-size");
                }
            }
        }

        /** A {@code --transforms}/{@code --eval-transforms} pipeline, with the run's normalization unless it names one. */
        private static Pipeline given(String spec, String flag, Normalize runs) {
            Pipeline p = PipelineParser.parse(spec, flag);
            return spec.contains("normalize") ? p : p.withNormalize(runs);
        }

        /** Step 5: a loader per split (training: shuffled and augmented; the others: every sample once). */
        private void openLoaders() {
            int heads = dataset.heads();
            int blank = Labels.blank(dataset.classes(), heads);
            train = batches(openLoader(dataset.train(), trainPipeline, config.loaderOptions(channels, "train", true)),
                    heads, blank);
            valid = dataset.valid() == null ? null : batches(openLoader(dataset.valid(), evalPipeline,
                    config.loaderOptions(channels, "valid", false)), heads, blank);
            test = dataset.test() == null ? null : batches(openLoader(dataset.test(), evalPipeline,
                    config.loaderOptions(channels, "test", false)), heads, blank);
            if (train.batchCount() == 0) {
                throw new ConvkitException("--batch-size " + config.batchSize() + " is larger than the training split ("
                        + dataset.train().size() + " samples); use a smaller one");
            }
        }

        private LoaderBatches batches(Loader loader, int heads, int blank) {
            return new LoaderBatches(loader, dataset.classes(), heads, blank);
        }

        private Loader openLoader(ImageSource source, Pipeline pipeline, Loader.Options options) {
            Loader l = new Loader(source, pipeline, options);
            loaders.add(l);
            return l;
        }

        /** Step 6: the network, its initial weights drawn from the run's seed. */
        private void buildNetwork() {
            ModelOptions mo = config.knobs().applyTo(Zoo.get(config.model()).defaults()
                    .withInput(channels, config.imageSize(), config.imageSize())
                    .withClasses(dataset.classes().size())
                    .withHeads(dataset.heads()));
            Runtime.init().setRandomSeed(Seeds.forBatch(config.seed(), -1)); // the initial weights
            net = Zoo.create(config.model(), mo).initialize(manager);
            if (config.precision() != null) {
                net.setEngine(EngineCheck.available(net.engine().withPrecision(
                        EngineSettings.Precision.parse(config.precision(), "--precision"))));
            }
            // what this run computes in, for config.json (a peer repeating the recipe reads it)
            config = config.toBuilder().precision(net.engine().precision().token()).build();
            if (net.options().height() != config.imageSize()) {
                throw new ConvkitException("--image-size " + config.imageSize() + " is too small for " + config.model()
                        + "; use --image-size " + net.options().height() + " or more");
            }
        }

        /** Step 7: a new run folder, or the resumed one with its {@code checkpoints/last} state. */
        private void openRunFolder(boolean writeRun, boolean resuming) {
            if (!writeRun) {
                return;
            }
            if (!resuming) {
                run = RunWriter.create(runDir);
                return;
            }
            Path last = RunFiles.lastCheckpoint(runDir);
            if (!Checkpoint.exists(last)) {
                throw new ConvkitException("--resume " + runDir + ": no checkpoints/last to resume from"
                        + " (the run stopped before its first checkpoint); start it again");
            }
            resumed = Checkpoint.readTraining(last, manager).orElseThrow(() -> new ConvkitException(
                    "--resume " + runDir + ": checkpoints/last has no training state"));
            run = RunWriter.resume(runDir, resumed.epoch());
        }

        /** Step 8: the plan prepares the network (loads, adapts, freezes); a resumed run loads its weights. */
        private void prepareNetwork() {
            setup = new TrainingPlan.Setup(config, dataset, net, device, manager, run, trainPipeline, evalPipeline,
                    channels, resumed != null, out, loaders);
            plan.prepare(setup);
            if (resumed != null) {
                Checkpoint.loadInto(RunFiles.lastCheckpoint(runDir), net);
            }
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
            return new Optimizers.Settings(config.momentum(), config.nesterov(), config.weightDecay());
        }

        /**
         * A learner for this session's network stepping {@code optimizer}: the config's loss, batch mixing,
         * gradient accumulation, clipping, seed and monitored metric, no schedule or callbacks yet.
         */
        public Learner.Builder learner(Optimizer optimizer) {
            return Learner.builder(net, optimizer)
                    .device(device)
                    .loss(Loss.of(config.loss(), config.labelSmoothing()))
                    .mixing(config.mixing())
                    .options(new Learner.Options(config.gradAccum(), config.clip(), config.seed()))
                    .monitor(Monitor.parse(config.monitor()));
        }

        /**
         * The learning-rate range test on {@code batches} with the plan's parameter groups (frozen
         * parts stay frozen); weights, statistics and optimizer state restored afterwards.
         * {@code callbacks} run beside the finder (a {@link ReportCallback} writes its plot).
         */
        public LrFinder.Result findLr(Batches batches, LrFinder.Settings settings, Callback... callbacks) {
            try (Optimizer probe = Optimizers.create(config.optimizer(), plan.paramGroups(net, config), manager,
                    optimizerSettings())) {
                return LrFinder.run(learner(probe).callbacks(List.of(callbacks)), batches, settings);
            }
        }

        @Override
        public void close() {
            loaders.forEach(Loader::close);
            if (manager != null) {
                manager.close();
            }
        }
    }

    /**
     * Sets a run up to the point where training starts (see {@link Session}).
     *
     * @param resumeDir the run to continue, or null for a new one
     * @param writeRun create (or reopen) the run folder; false for a session that only looks
     */
    public static Session open(TrainConfig given, Path resumeDir, TrainingPlan plan, boolean writeRun, PrintStream out) {
        Session s = new Session(plan, out);
        try {
            s.startEngine(given);
            s.openData(given);
            Normalize planned = s.resolveConfig(given, resumeDir, writeRun);
            s.normalization(planned);
            s.device = Runtime.device(s.config.device());
            s.manager = NDManager.newBaseManager(s.device);
            s.openLoaders();
            s.buildNetwork();
            s.openRunFolder(writeRun, resumeDir != null);
            s.prepareNetwork();
            return s;
        } catch (RuntimeException e) {
            s.close();
            throw e;
        }
    }

    /**
     * A whole run on an opened session: {@code --lr auto}'s range test, config.json, the learner
     * with its callbacks, the epochs, then {@link #finish}.
     */
    private static Outcome execute(TrainConfig given, Path resumeDir, TrainingPlan plan, PrintStream out) {
        long started = System.nanoTime();
        try (Session s = open(given, resumeDir, plan, true, out)) {
            Batches trainData = plan.trainBatches(s.setup(), s.train());
            Batches validData = s.valid() == null ? null : plan.validBatches(s.setup(), s.valid());
            ReportCallback reports = new ReportCallback(s.runDir(), out);
            TrainConfig c = s.config().lrAuto() ? withFoundLr(s, trainData, reports, out) : s.config();
            s.run().writeConfig(plan.config(c));
            try (Optimizer optimizer = Optimizers.create(c.optimizer(), plan.paramGroups(s.net(), c), s.manager(),
                    s.optimizerSettings())) {
                long stepsPerEpoch = (trainData.batchCount() + c.gradAccum() - 1) / c.gradAccum();
                Schedule schedule = plan.schedule(c, stepsPerEpoch);
                List<Callback> callbacks = callbacks(s, c, reports);
                if (c.budget() != null) {
                    TimeBudget budget = new TimeBudget(TimeBudget.parse(c.budget(), "--budget"), c.epochs(), stepsPerEpoch,
                            c.warmup() / c.epochs(), out);
                    schedule = budget;
                    callbacks.add(0, budget); // first: the others see the run's new length
                }
                Learner learner = s.learner(optimizer).schedule(schedule, c.lr()).callbacks(callbacks).build();
                if (s.resumed() != null) {
                    learner.restore(s.resumed().state(), s.resumed().tensors());
                    out.printf(Locale.ROOT, "resuming after epoch %d%s%n", learner.state().epoch,
                            learner.state().batch > 0 ? ", batch " + learner.state().batch + " of epoch "
                                    + (learner.state().epoch + 1) : "");
                }
                out.printf(Locale.ROOT, "%s, lr %.3g, %s, batch %d, %d epochs, %s, %d threads%n",
                        optimizer.name(), c.lr(), schedule.describe(), c.batchSize(), c.epochs(),
                        c.transforms() != null ? "transforms " + c.transforms() : "augment " + c.augment(), c.threads());
                FitResult fit;
                try {
                    fit = plan.fit(learner, trainData, validData, s.setup());
                } finally {
                    s.run().writeSkipped(s.skipped());
                }
                plan.afterFit(s.setup());
                return finish(c, s.run(), learner, fit, reports, s.dataset(), s.valid(), s.test(), started, out);
            }
        }
    }

    /**
     * {@code --lr auto}: the range test on the training batches (the run's own batch size), its
     * cost said first; the config with its suggestion, or with a safe default when it has none.
     */
    private static TrainConfig withFoundLr(Session s, Batches trainData, ReportCallback reports, PrintStream out) {
        LrFinder.Settings settings = LrFinder.Settings.defaults();
        out.printf(Locale.ROOT, "--lr auto: the learning-rate range test first: at most %d batches of %d (%.1f epochs"
                + " of this data), lr %.0e .. %.0f%n", settings.steps(), s.config().batchSize(),
                settings.steps() / (double) Math.max(1, trainData.batchCount()), settings.start(), settings.end());
        long t0 = System.nanoTime();
        // the sweep runs the run's batch size: memory runs out there first, and says so as training does
        LrFinder.Result r = s.findLr(trainData, settings, reports, new OutOfMemory(s.config().batchSize(),
                s.config().gradAccum(), s.net().options().inputSpec()));
        Path png = reports.lrFindPlot();
        out.println(r.describe());
        double lr = r.suggestion();
        if (Double.isFinite(lr)) {
            out.printf(Locale.ROOT, "--lr auto: training with lr %.3g (sweep %.0f s; plot: %s)%n", lr,
                    (System.nanoTime() - t0) / 1e9, png);
        } else {
            lr = Optimizers.safeLr(s.config().optimizer());
            out.printf(Locale.ROOT, "--lr auto: training with lr %.3g, the safe default for %s: the range test gave"
                    + " no good answer (sweep %.0f s; plot: %s)%n", lr, s.config().optimizer(),
                    (System.nanoTime() - t0) / 1e9, png);
        }
        return s.config().toBuilder().lr(lr).build();
    }

    /** What a checkpoint records beside the weights: classes, normalization, evaluation transforms. */
    private static ModelInfo modelInfo(Session s) {
        Normalize norm = s.normalize();
        // --normalize none is one channel of mean 0, std 1: recorded as no normalization, which fits any channel count
        return new ModelInfo(s.dataset().classes(), norm.isIdentity() ? null : norm.mean(),
                norm.isIdentity() ? null : norm.std(), Map.of(ModelInput.EVAL_TRANSFORMS,
                s.evalPipeline().withNormalize(Normalize.NONE).spec(), "dataset", s.dataset().name(),
                "run", s.runDir().toString()));
    }

    /**
     * Progress, metrics files, the divergence guard, checkpoints, the out-of-memory message, early
     * stop, the plan's, then the reports.
     */
    private static List<Callback> callbacks(Session s, TrainConfig c, ReportCallback reports) {
        List<EpochColumns> columns = new ArrayList<>(s.plan().columns(s.setup()));
        columns.add(MetricsLog.positionAccuracy());
        Checkpoints checkpoints = new Checkpoints(s.run(), modelInfo(s), c.checkpointMinutes(), c.checkpointBatches());
        List<Callback> callbacks = new ArrayList<>();
        callbacks.add(TrainingProgress.onConsole(s.out));
        callbacks.add(new MetricsLog(s.run(), columns));
        // before checkpoints: a back-off's restored weights are what checkpoints/last then holds
        callbacks.add(new DivergenceGuard(checkpoints, c.backoff(), s.dataset().classes().size(), s.out));
        callbacks.add(checkpoints);
        callbacks.add(new OutOfMemory(c.batchSize(), c.gradAccum(), s.net().options().inputSpec()));
        if (c.patience() != null) {
            callbacks.add(new EarlyStopping(c.patience()));
        }
        callbacks.addAll(s.plan().callbacks(s.setup()));
        callbacks.add(reports);
        return callbacks;
    }

    /**
     * The numbers people quote, from the best checkpoint (by the monitored metric): the validation
     * evaluation with its report, and the test accuracy, printed with the report's path.
     */
    private static Outcome finish(TrainConfig c, RunWriter run, Learner learner, FitResult fit,
            ReportCallback reports, Dataset dataset, Batches valid, Batches test, long started, PrintStream out) {
        if (fit.stopReason() != null) {
            out.println(fit.stopReason());
        }
        if (Checkpoint.exists(run.bestCheckpoint())) {
            Checkpoint.loadInto(run.bestCheckpoint(), learner.net());
        }
        EvalResult validResult = null;
        if (valid != null) {
            validResult = learner.evaluate(valid, Metrics.DEFAULT_KEEP);
            learner.validated(validResult, dataset.valid());
        }
        Path report = reports.report();
        EvalResult testResult = test == null ? null : learner.evaluate(test, 0);
        if (testResult != null) {
            Json.writePretty(run.dir().resolve(RunFiles.TEST), testResult);
        }
        String headline = testResult != null
                ? String.format(Locale.ROOT, "test accuracy %.2f%% (%d images, best epoch %d)",
                        100 * testResult.accuracy(), testResult.samples(), fit.bestEpoch())
                : validResult != null
                        ? validHeadline(validResult, fit.bestEpoch())
                        : "trained";
        out.printf(Locale.ROOT, "%s in %.1f min%n", headline, (System.nanoTime() - started) / 60e9);
        String majority = validResult == null ? null : Baseline.warning(validResult);
        if (majority != null) {
            out.println(majority);
        }
        out.println("report: " + (report != null ? report : run.dir()));
        return new Outcome(run.dir(), c, fit, validResult, testResult, report);
    }

    /**
     * With no test split the figure to quote is the validation accuracy of the best checkpoint,
     * the epoch that scored highest on these very images: a little optimistic (bench/RESULTS.md,
     * "Best epoch and flip TTA"), which the line says.
     */
    static String validHeadline(EvalResult valid, int bestEpoch) {
        return String.format(Locale.ROOT, "valid accuracy %.2f%% (%d images%s, chosen on these same images: a little"
                + " optimistic; a test split gives an unbiased figure)", 100 * valid.accuracy(), valid.samples(),
                bestEpoch > 0 ? ", best epoch " + bestEpoch : "");
    }
}
