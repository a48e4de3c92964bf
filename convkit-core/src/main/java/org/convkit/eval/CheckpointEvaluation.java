package org.convkit.eval;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.convkit.core.ConvkitException;
import org.convkit.core.Progress;
import org.convkit.core.Runtime;
import org.convkit.data.Dataset;
import org.convkit.data.load.Datasets;
import org.convkit.data.ImageSource;
import org.convkit.data.load.Loader;
import org.convkit.data.OpenOptions;
import org.convkit.data.Skipped;
import org.convkit.data.image.Pipeline;
import org.convkit.model.weights.Checkpoint;
import org.convkit.model.weights.ModelSource;

/**
 * {@code convkit eval}: a model (a convkit checkpoint or imported weights, see {@link ModelSource})
 * measured on one split of a dataset, every sample once, in evaluation mode, with the evaluation
 * transform the model expects.
 */
public final class CheckpointEvaluation {
    /**
     * @param data dataset name or path; null = the run's own (its config.json "data")
     * @param split train, valid or test; null: test where the data has it, else valid
     * @param batchSize samples per forward pass
     * @param device cpu, cuda, cuda:N
     * @param transforms a --transforms override, or null for the checkpoint's evaluation transform
     * @param workers loader threads, or null for the loader's default
     * @param keep confident mistakes to keep
     * @param open what the command line changes in how {@code data} is opened (--labels,
     *     --labels-from, --images, --class-names, --no-download), applied over the run's own way (its
     *     config.json) when it is the run's data, else over the defaults; null = nothing changed
     * @param tta test-time augmentation ({@link Tta}; null = none)
     */
    public record Options(
            String data, String split, int batchSize, String device, String transforms, Integer workers, int keep,
            UnaryOperator<OpenOptions> open, Tta tta) {
        public Options {
            open = open == null ? UnaryOperator.identity() : open;
            tta = tta == null ? Tta.NONE : tta;
        }

        /** Opening the data as the run's config says (or with the defaults). */
        public Options(String data, String split, int batchSize, String device, String transforms, Integer workers, int keep) {
            this(data, split, batchSize, device, transforms, workers, keep, null, Tta.NONE);
        }

        /** Without test-time augmentation. */
        public Options(String data, String split, int batchSize, String device, String transforms, Integer workers, int keep,
                UnaryOperator<OpenOptions> open) {
            this(data, split, batchSize, device, transforms, workers, keep, open, Tta.NONE);
        }

        /** These options with test-time augmentation {@code t}. */
        public Options withTta(Tta t) {
            return new Options(data, split, batchSize, device, transforms, workers, keep, open, t);
        }

        /** eval's defaults: the run's data, its test split or else valid, batch 256, cpu. */
        public static Options defaults() {
            return new Options(null, null, 256, "cpu", null, null, Metrics.DEFAULT_KEEP);
        }
    }

    /**
     * What was evaluated and what came out.
     *
     * @param checkpoint the checkpoint directory, or the imported weights file
     * @param architecture its zoo name
     * @param input its input CxHxW
     * @param data what was read ("fashion-mnist test: IDX ..., 10000 images")
     * @param split the split name
     * @param transforms the evaluation pipeline used
     * @param result the metrics
     * @param skipped samples that could not be read (not in the metrics)
     */
    public record Outcome(
            String checkpoint,
            String architecture,
            String input,
            String data,
            String split,
            String transforms,
            EvalResult result,
            List<Skipped> skipped) {}

    private CheckpointEvaluation() {}

    /**
     * What an evaluation reads and how, found before any image is read; the same for this JVM's
     * pass ({@link #run}) and a Spark job that spreads the split over machines.
     *
     * @param model the model evaluated
     * @param dataset the dataset opened (the run's own data when none was named)
     * @param source the split's samples
     * @param split the split's name
     * @param dataName "cifar10 test", for messages
     * @param classes the class names the metrics use (the model's, checked against the data's)
     * @param heads K, labels per sample
     * @param blank the blank class of sequences, or -1
     * @param pipeline the evaluation transform (the model's own, or the --transforms override)
     */
    public record Plan(ModelSource model, Dataset dataset, ImageSource source, String split, String dataName,
            List<String> classes, int heads, int blank, Pipeline pipeline) {

        /** Empty metrics for this evaluation (or one part of it). */
        public Metrics metrics(int keep) {
            return new Metrics(classes, heads, blank, keep);
        }

        /** The outcome of this evaluation once its metrics are complete. */
        public Outcome outcome(EvalResult result, List<Skipped> skipped) {
            Checkpoint.Manifest manifest = model.manifest();
            return new Outcome(model.describe(), manifest.architecture(), manifest.options().inputSpec(),
                    dataName + ": " + source.describe(), split, pipeline.spec(), result, skipped);
        }
    }

    /**
     * Opens the data for an evaluation and checks it fits the model: the run's own data when {@code
     * o.data()} is null, its validation split re-made with the trainer's fraction and seed, the
     * heads and classes compared with the model's.
     */
    public static Plan plan(ModelSource model, Options o) {
        Map<String, Object> runConfig = model.run().map(RunConfigFile::read).orElse(Map.of());
        String data = o.data() != null ? o.data() : runConfig.get("data") instanceof String s ? s : null;
        if (data == null) {
            throw new ConvkitException("--data is needed: " + model.describe() + " is not a run folder whose config.json"
                    + " names its data");
        }
        Checkpoint.Manifest manifest = model.manifest();
        int heads = manifest.options().heads();
        // the trainer's validation split is re-made with its own fraction and seed
        OpenOptions open = o.open().apply(runsOpenOptions(o.data() == null ? runConfig : Map.of()))
                .withHeads(heads > 1 ? heads : 0);
        if (runConfig.get("valid-split") instanceof Number f) {
            open = open.withValidSplit(f.doubleValue());
        }
        if (runConfig.get("seed") instanceof Number s) {
            open = open.withSeed(s.longValue());
        }
        Dataset ds = Datasets.open(data, open);
        // no --split: the test split, or where the data has none (a folder of train/ and valid/,
        // a run that held out part of train), the validation split the run reported
        String split = o.split() != null ? checkSplit(o.split()) : ds.split("test") != null ? "test" : "valid";
        ImageSource source = ds.split(split);
        if (source == null) {
            throw new ConvkitException("--split " + split + ": " + ds.name() + " has no such split (it has "
                    + String.join(", ", ds.splitNames()) + ")");
        }
        if (ds.heads() != heads) {
            throw new ConvkitException(ds.name() + " has " + ds.heads() + " label(s) per sample but the "
                    + (model.isCheckpoint() ? "checkpoint's " : "") + "network has " + heads + " head(s)");
        }
        String dataName = ds.name() + " " + split;
        List<String> classes = ModelInput.classes(manifest, ds.classes(), dataName);
        Pipeline pipeline = ModelInput.pipeline(manifest, o.transforms());
        return new Plan(model, ds, source, split, dataName, classes, heads, Labels.blank(classes, heads), pipeline);
    }

    /** The data options a run was trained with (config.json's images, labels, labels-from, class-names). */
    private static OpenOptions runsOpenOptions(Map<String, Object> runConfig) {
        OpenOptions open = OpenOptions.defaults();
        if (runConfig.get("images") instanceof String s) {
            open = open.withImages(java.nio.file.Path.of(s));
        }
        if (runConfig.get("labels") instanceof String s) {
            open = open.withLabels(java.nio.file.Path.of(s));
        }
        if (runConfig.get("labels-from") instanceof String s) {
            open = open.withLabelsFrom(s);
        }
        if (runConfig.get("class-names") instanceof String s) {
            open = open.withClasses(org.convkit.data.ClassNames.parse(s, "--class-names"));
        }
        return open;
    }

    public static Outcome run(ModelSource model, Options o) {
        Plan plan = plan(model, o);
        ImageSource source = plan.source();
        Device device = Runtime.device(o.device());
        Metrics metrics = plan.metrics(o.keep());
        Loader.Options lo = Loader.Options.eval(o.batchSize()).withChannels(model.manifest().options().channels())
                .withSplit(plan.split());
        if (o.workers() != null) {
            lo = lo.withWorkers(o.workers());
        }
        EvalResult result;
        List<Skipped> skipped;
        try (NDManager m = NDManager.newBaseManager(device);
                Loader loader = new Loader(source, plan.pipeline(), lo);
                Loader.Epoch epoch = loader.epoch(0);
                Progress bar = new Progress("eval " + plan.split(), source.size(), "img")) {
            Checkpoint.Loaded loaded = model.load(m);
            new Evaluator(loaded.net(), device).withTta(o.tta()).run(() -> epoch, (batch, logits) -> {
                metrics.add(logits, batch);
                bar.advance(batch.size());
            });
            result = metrics.result();
            skipped = loader.skipped();
        }
        return plan.outcome(result, skipped);
    }

    private static String checkSplit(String split) {
        if (!List.of("train", "valid", "test").contains(split)) {
            throw new ConvkitException("--split " + split + ": expected train, valid or test");
        }
        return split;
    }
}
