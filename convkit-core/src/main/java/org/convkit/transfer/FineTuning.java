package org.convkit.transfer;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.convkit.core.ConvkitException;
import org.convkit.data.Dataset;
import org.convkit.data.image.Normalize;
import org.convkit.data.load.Loader;
import org.convkit.eval.Labels;
import org.convkit.model.ConvNet;
import org.convkit.model.ModelKnobs;
import org.convkit.model.weights.Checkpoint;
import org.convkit.model.weights.KeyMap;
import org.convkit.model.weights.LoadReport;
import org.convkit.model.weights.ModelSource;
import org.convkit.train.Batches;
import org.convkit.train.EpochColumns;
import org.convkit.train.EpochResult;
import org.convkit.train.FitResult;
import org.convkit.train.Learner;
import org.convkit.train.LoaderBatches;
import org.convkit.train.ParamGroups;
import org.convkit.train.TrainConfig;
import org.convkit.train.TrainingPlan;
import org.convkit.train.optim.ParamGroup;
import org.convkit.train.run.Training;
import org.convkit.train.schedule.Schedule;
import org.convkit.train.schedule.Schedules;

/**
 * {@code convkit finetune}: a pretrained backbone, a new head for the data's classes, trained in
 * phases (fastai's fine_tune). First the head alone for {@code --freeze-epochs} with the whole
 * backbone frozen; then the stages {@code --unfreeze} names train too, at {@code
 * --backbone-lr-factor} times the head's learning rate (two optimizer groups), each phase with a
 * schedule of its own. {@code --mode features} instead computes the backbone's features once and
 * trains only the head on them.
 *
 * <p>Frozen means frozen: no gradient and BatchNorm statistics held (frozen stages run in
 * evaluation mode), checked after every phase against fingerprints taken before it
 * ({@code freezing.json}). Everything else (data, defaults, checkpoints, metrics, report) is a
 * training run's; {@code metrics.csv} gets a {@code phase} column.
 */
public final class FineTuning implements TrainingPlan {
    /** The phase names in metrics.csv and freezing.json. */
    public static final String HEAD = "head";
    public static final String UNFROZEN = "unfrozen";
    public static final String FEATURES = "features";

    /** A span of epochs (1-based, inclusive) with the backbone stages that train in it. */
    record Phase(String name, int first, int last, Set<String> trained) {
        int epochs() {
            return last - first + 1;
        }
    }

    private final FineTuneOptions given;
    private FineTuneOptions resolved;
    private final Path from;
    private List<Phase> phases = List.of();
    private FreezeLog log;
    private Normalize trainedWith;

    public FineTuning(FineTuneOptions options) {
        this.given = options;
        if (options.from() == null) {
            throw new ConvkitException("--from is required: a convkit checkpoint (runs/NAME, or runs/NAME/checkpoints/best)"
                    + " or a PyTorch weights file (.pth, .safetensors; torchvision or timm keys)");
        }
        this.from = ModelSource.checkpointOrWeights(Path.of(options.from()), "--from");
    }

    /** Fine-tunes a new run. */
    public static Training.Outcome run(TrainConfig train, FineTuneOptions options, PrintStream out) {
        return Training.run(train, new FineTuning(options), out);
    }

    /** Continues an interrupted fine-tuning run (its phases, features cache and freezing log included). */
    public static Training.Outcome resume(Path runDir, TrainConfig overrides, PrintStream out) {
        FineTuneOptions o = FineTuneOptions.fromMap(Training.savedConfig(runDir));
        return Training.resume(runDir, overrides, new FineTuning(o), out);
    }

    @Override
    public Set<String> configKeys() {
        return FineTuneOptions.keys();
    }

    /**
     * From a convkit checkpoint: its architecture and model knobs unless given (and the
     * normalization it was trained with, {@link #normalization()}). From a PyTorch file: --model
     * is needed, normalization defaults to ImageNet's (what torchvision's and timm's weights
     * expect).
     */
    @Override
    public boolean pretrained() {
        return true;
    }

    @Override
    public TrainConfig settle(TrainConfig given, Dataset dataset) {
        TrainConfig.Builder c = given.toBuilder();
        if (Files.isDirectory(from)) {
            Checkpoint.Manifest m = Checkpoint.read(from);
            if (given.model() == null || given.model().equals(m.architecture())) {
                c.model(m.architecture()).knobs(given.knobs().orElse(ModelKnobs.of(m.options())));
            }
            if (m.info().hasNormalization()) {
                trainedWith = new Normalize(m.info().mean(), m.info().std());
            }
        } else {
            if (given.model() == null) {
                throw new ConvkitException("--from " + from + " is a weights file: say which architecture it holds with"
                        + " --model (e.g. --model resnet18)");
            }
            if (given.normalize() == null) {
                c.normalize("imagenet");
            }
        }
        return c.build();
    }

    /** A convkit checkpoint's normalization: what its weights were trained with. */
    @Override
    public Normalize normalization() {
        return trainedWith;
    }

    @Override
    public Map<String, Object> config(TrainConfig c) {
        Map<String, Object> m = c.toMap();
        m.putAll(resolved.toMap());
        return m;
    }

    @Override
    public void prepare(Setup s) {
        TrainConfig c = s.config();
        ConvNet net = s.net();
        FineTuneOptions.Mode mode = given.modeOrDefault();
        double factor = given.backboneLrFactor() != null ? given.backboneLrFactor() : 0.1;
        if (!(factor >= 0)) {
            throw new ConvkitException("--backbone-lr-factor " + factor + ": must be >= 0 (0.1 = a tenth of --lr)");
        }
        boolean adaptChannels = given.adaptChannels() != null && given.adaptChannels();
        String unfreeze = mode == FineTuneOptions.Mode.FEATURES ? "none" : given.unfreeze() != null ? given.unfreeze() : "all";
        phases = mode == FineTuneOptions.Mode.FEATURES ? featurePhases(c) : fullPhases(c, net, unfreeze);
        int frozenEpochs = phases.get(0).trained().isEmpty() ? phases.get(0).last() : 0;
        resolved = new FineTuneOptions(from.toString(), frozenEpochs, unfreeze, factor, mode.toString(), adaptChannels,
                s.resuming() ? null : given.keyMap());
        if (!s.resuming()) {
            KeyMap keyMap = given.keyMap() == null ? KeyMap.NONE : KeyMap.read(Path.of(given.keyMap()));
            List<String> adapted = new ArrayList<>();
            LoadReport r = BackboneWeights.load(net, from, adaptChannels, keyMap, adapted::add);
            s.out().println("loaded " + r.loaded() + " tensors from " + from + " (" + r.keyStyle() + " keys); new head: "
                    + net.options().heads() + " x " + net.options().classes() + " classes"
                    + (r.skipped().isEmpty() ? "" : " (left fresh: " + String.join(", ", r.skipped()) + ")"));
            r.byPosition().forEach(m -> s.out().println("  " + m));
            adapted.forEach(s.out()::println);
        }
        Freezing.apply(net.backbone(), phases.get(0).trained());
        Freezing.verify(net);
    }

    private List<Phase> featurePhases(TrainConfig c) {
        if (given.unfreeze() != null && !given.unfreeze().equalsIgnoreCase("none")) {
            throw new ConvkitException("--mode features trains the head on cached features, the backbone never trains:"
                    + " --unfreeze " + given.unfreeze() + " needs --mode full");
        }
        if (given.freezeEpochs() != null && !given.freezeEpochs().equals(c.epochs())) {
            throw new ConvkitException("--mode features: every epoch trains the head only; leave out --freeze-epochs");
        }
        return List.of(new Phase(FEATURES, 1, c.epochs(), Set.of()));
    }

    private List<Phase> fullPhases(TrainConfig c, ConvNet net, String spec) {
        Set<String> later = Freezing.stages(net.backbone(), spec); // checks the names even when unused
        int k = given.freezeEpochs() != null ? given.freezeEpochs() : later.isEmpty() ? c.epochs() : Math.min(1, c.epochs());
        if (k < 0 || k > c.epochs()) {
            throw new ConvkitException("--freeze-epochs " + k + ": must be between 0 and --epochs " + c.epochs()
                    + " (the frozen epochs count towards --epochs)");
        }
        List<Phase> out = new ArrayList<>();
        if (k > 0) {
            out.add(new Phase(HEAD, 1, k, Set.of()));
        }
        if (k < c.epochs()) {
            if (later.isEmpty()) {
                throw new ConvkitException("--unfreeze none with --freeze-epochs " + k + " < --epochs " + c.epochs()
                        + ": nothing would unfreeze; give --unfreeze all|last:N|STAGES, or drop --freeze-epochs");
            }
            out.add(new Phase(UNFROZEN, k + 1, c.epochs(), new LinkedHashSet<>(later)));
        }
        return out;
    }

    @Override
    public List<ParamGroup> paramGroups(ConvNet net, TrainConfig c) {
        return ParamGroups.backboneAndHead(net, resolved.backboneLrFactor(), c.weightDecay());
    }

    /** Each phase its own run of the configured schedule (warm-up as the same share of it). */
    @Override
    public Schedule schedule(TrainConfig c, long stepsPerEpoch) {
        double warmupShare = c.epochs() > 0 ? c.warmup() / c.epochs() : 0;
        long[] starts = new long[phases.size()];
        List<Schedule> parts = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (int i = 0; i < phases.size(); i++) {
            Phase p = phases.get(i);
            starts[i] = (p.first() - 1) * stepsPerEpoch;
            parts.add(Schedules.create(c.schedule(), p.epochs(), stepsPerEpoch, warmupShare * p.epochs(), c.stepEpochs(),
                    c.gamma()));
            names.add(p.name());
        }
        return new PhasedSchedule(starts, parts, names);
    }

    @Override
    public Batches trainBatches(Setup s, Batches images) {
        if (!FEATURES.equals(phases.get(0).name())) {
            return images;
        }
        // every training sample once, evaluation transforms: what the cache holds
        Loader loader = s.openLoader(s.dataset().train(), s.evalPipeline(), s.loaderOptions("train", false));
        return features(s, loader, "train", true);
    }

    @Override
    public Batches validBatches(Setup s, Batches images) {
        if (!FEATURES.equals(phases.get(0).name()) || !(images instanceof LoaderBatches lb)) {
            return images;
        }
        return features(s, lb.loader(), "valid", false);
    }

    private Batches features(Setup s, Loader loader, String split, boolean training) {
        ConvNet net = s.net();
        net.setFeatureInput(false);
        String key = Freezing.fingerprint(net, net.backbone().stageNames()) + " " + s.evalPipeline().spec();
        long t0 = System.nanoTime();
        try {
            FeatureCache.Split f = FeatureCache.of(net, s.device(), loader, s.run().dir(), split, key);
            s.out().printf(Locale.ROOT, "features of %s: %d x %s in %s (%.1fs)%n", split, f.rows(),
                    java.util.Arrays.toString(f.rowShape()), s.run().dir().relativize(f.file()),
                    (System.nanoTime() - t0) / 1e9);
            net.setFeatureInput(true);
            int blank = Labels.blank(s.dataset().classes(), s.dataset().heads());
            return new FeatureBatches(f, s.dataset().classes(), blank, s.config().batchSize(), training,
                    s.config().seed());
        } catch (IOException e) {
            throw new ConvkitException("cannot write the feature cache in " + s.run().dir() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public List<EpochColumns> columns(Setup s) {
        return List.of((learner, row) -> Map.of("phase", phaseOf(row.epoch()).name()));
    }

    private Phase phaseOf(int epoch) {
        for (Phase p : phases) {
            if (epoch >= p.first() && epoch <= p.last()) {
                return p;
            }
        }
        return phases.get(phases.size() - 1);
    }

    @Override
    public FitResult fit(Learner learner, Batches train, Batches valid, Setup s) {
        ConvNet net = s.net();
        log = new FreezeLog(s.run().dir());
        if (s.resuming()) {
            log.keepFinished(learner.state().epoch);
        }
        List<EpochResult> history = new ArrayList<>();
        String stop = null;
        for (int i = 0; i < phases.size() && stop == null; i++) {
            Phase p = phases.get(i);
            if (learner.state().epoch >= p.last()) {
                continue;
            }
            Freezing.apply(net.backbone(), p.trained());
            s.out().printf(Locale.ROOT, "phase %d/%d '%s', epochs %d-%d: %s%n", i + 1, phases.size(), p.name(), p.first(),
                    p.last(), describe(p));
            s.out().println(Freezing.table(Freezing.counts(net)));
            log.begin(p.name(), p.first(), p.last(), net);
            FitResult r = learner.fit(p.last(), train, valid);
            log.end(net);
            Map<String, Object> done = log.phases().get(log.phases().size() - 1);
            s.out().printf(Locale.ROOT, "phase '%s' done: frozen stages %s unchanged (fingerprint %s)%s%n", p.name(),
                    done.get("frozen_stages"), ((String) done.get("frozen_fingerprint_after")).substring(0, 16),
                    p.trained().isEmpty() ? "" : "; trained stages changed: " + done.get("trained_changed"));
            history.addAll(r.history());
            stop = r.stopReason();
        }
        var st = learner.state();
        return new FitResult(history, stop, st.bestEpoch, st.bestEpoch > 0 ? st.bestMetric : Double.NaN);
    }

    private String describe(Phase p) {
        if (p.name().equals(FEATURES)) {
            return "the head on cached backbone features (backbone frozen, not run)";
        }
        if (p.trained().isEmpty()) {
            return "the head only, backbone frozen";
        }
        return "the head and backbone stages " + String.join(", ", p.trained()) + " (backbone lr x "
                + resolved.backboneLrFactor() + ")";
    }

    @Override
    public void afterFit(Setup s) {
        s.net().setFeatureInput(false);
    }
}
