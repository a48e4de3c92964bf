package org.convkit.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import org.convkit.train.Recipe;
import org.convkit.train.TrainConfig;
import picocli.CommandLine;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;

/**
 * The training options, one per key of {@link TrainConfig} (same names): shared by {@code train},
 * {@code finetune} and {@code lr-find}, so a config file and every command say the same things.
 */
public final class TrainArgs {
    @Option(names = "--data", paramLabel = "D", description = "Dataset name (fashion-mnist, mnist, cifar10) or path (default: "
            + Recipe.DEFAULT_DATA + ").")
    public String data;

    // --model and its knobs
    @Mixin
    public ModelKnobsArgs knobs;

    @Option(names = "--epochs", paramLabel = "N", description = "Epochs (default: 6 for the main job; a folder of photos:"
            + " 40 from scratch below 10,000 images, see `recipe:`; else 10).")
    public Integer epochs;

    @Option(names = "--batch-size", paramLabel = "B", description = "Samples per batch (default: 128 up to 64x64 inputs, else 32).")
    public Integer batchSize;

    @Option(names = "--lr", paramLabel = "X", converter = LrConverter.class,
            description = "Peak learning rate, or auto: run the learning-rate range test first and use its suggestion"
                    + " (default: sgd 0.1, adam/adamw/rmsprop 0.001; a folder of photos: auto, or 0.003 with adamw"
                    + " from scratch).")
    public Double lr;

    @Option(names = "--optimizer", paramLabel = "O", description = "sgd, adam, adamw or rmsprop (default: sgd; adamw on a folder of"
            + " photos from scratch).")
    public String optimizer;

    @Option(names = "--momentum", paramLabel = "M", description = "SGD/RMSprop momentum, Adam's beta1 (default: 0.9; rmsprop 0).")
    public Double momentum;

    @Option(names = "--nesterov", negatable = true, description = "Nesterov momentum (SGD; default: on with momentum).")
    public Boolean nesterov;

    @Option(names = "--weight-decay", paramLabel = "W", description = "L2 penalty, decoupled for adamw (default: sgd 5e-4,"
            + " adamw 0.01, else 0; a folder of photos: 0.1 with adamw from scratch).")
    public Double weightDecay;

    @Option(names = "--schedule", paramLabel = "S", description = "constant, step, cosine or onecycle (default: onecycle).")
    public String schedule;

    @Option(names = "--warmup", paramLabel = "EPOCHS", description = "Linear warm-up in epochs; for onecycle the climb (default: 30%% of the run).")
    public Double warmup;

    @Option(names = "--step-epochs", paramLabel = "N", description = "step schedule: decay every N epochs (default: a third of the run).")
    public Integer stepEpochs;

    @Option(names = "--gamma", paramLabel = "G", description = "step schedule: decay factor (default: 0.1).")
    public Double gamma;

    @Option(names = "--label-smoothing", paramLabel = "E", description = "Cross-entropy label smoothing (default: 0.1).")
    public Double labelSmoothing;

    @Option(names = "--mixup", paramLabel = "ALPHA", description = "MixUp: blend each training image with another,"
            + " and their labels' losses, at a share drawn from Beta(ALPHA, ALPHA) per batch, e.g. 0.2 (default: 0 = off; a folder of photos from scratch: 0.4 when the"
            + " recipe also chooses the epochs).")
    public Double mixup;

    @Option(names = "--cutmix", paramLabel = "ALPHA", description = "CutMix: paste a box of another training image,"
            + " its size drawn from Beta(ALPHA, ALPHA) per batch, e.g. 1 (default: 0 = off; with --mixup, each batch"
            + " takes one of the two).")
    public Double cutmix;

    @Option(names = "--loss", paramLabel = "L", description = "ce (logits) or nll (log-probabilities) (default: ce).")
    public String loss;

    @Option(names = "--grad-accum", paramLabel = "K", description = "Add up K batches' gradients per step (default: 1).")
    public Integer gradAccum;

    @Option(names = "--clip", paramLabel = "NORM", description = "Clip the global gradient norm (default: 0 = off).")
    public Double clip;

    @Option(names = "--image-size", paramLabel = "S", description = "Input S x S (default: the data's size, else the model's).")
    public Integer imageSize;

    @Option(names = "--augment", paramLabel = "A", description = "none, light (flips) or standard (crops + flips) (default: by data).")
    public String augment;

    @Option(names = "--normalize", paramLabel = "N", description = "auto (training-set statistics), none, a preset such as imagenet, or mean=a/b/c:std=d/e/f (default: auto).")
    public String normalize;

    // --valid-split, --seed, --heads and the data options: as the data commands open a dataset
    @Mixin
    public DataSourceArgs dataSource;

    @Option(names = "--transforms", paramLabel = "SPEC",
            description = "The training pipeline instead of --augment's, torchvision's steps in order, e.g."
                    + " randomresizedcrop=224,hflip (the run's normalization is added unless a normalize step is given).")
    public String transforms;

    @Option(names = "--eval-transforms", paramLabel = "SPEC",
            description = "The evaluation pipeline (validation, test, and eval/predict of the checkpoint) instead of"
                    + " the preset, e.g. resize=224x224; no random steps; it must end at --image-size.")
    public String evalTransforms;

    @Option(names = "--patience", paramLabel = "N", description = "Stop early after N epochs without a better --monitor value (default: off).")
    public Integer patience;

    @Option(names = "--monitor", paramLabel = "M", description = "What picks checkpoints/best and what --patience"
            + " waits on: valid_acc or valid_loss (default: valid_acc).")
    public String monitor;

    @Option(names = "--backoff", negatable = true, description = "When the training or validation loss diverges (NaN,"
            + " or 10x its best), say so and back off: the last good epoch's weights come back and the learning rate is"
            + " divided by 10 (up to 3 times). --no-backoff: only say so (a NaN still stops the run) (default: on).")
    public Boolean backoff;

    @Option(names = "--run", paramLabel = "NAME", description = "Run folder name under --runs-dir (default: model-data-time).")
    public String run;

    @Option(names = "--runs-dir", paramLabel = "DIR", description = "Where run folders go (default: runs).")
    public String runsDir;

    @Mixin
    public DeviceArgs device;

    @Option(names = "--threads", paramLabel = "N", description = "Compute threads (default: all cores).")
    public Integer threads;

    @Option(names = "--workers", paramLabel = "N", description = "Data loading threads (default: all cores).")
    public Integer workers;

    @Option(names = "--checkpoint-minutes", paramLabel = "M", description = "Also save checkpoints/last every M minutes within an epoch (default: 10; 0 = epoch ends only).")
    public Double checkpointMinutes;

    @Option(names = "--checkpoint-batches", paramLabel = "N", hidden = true, description = "Also save every N batches (tests).")
    public Integer checkpointBatches;

    @Mixin
    public PrecisionArgs precision;

    @Option(names = "--budget", paramLabel = "T", description = "A wall-time budget for training, e.g. 5m, 90s, 1h:"
            + " the epochs are estimated from the first epoch's time and the one-cycle schedule ends when the time does.")
    public String budget;

    /**
     * The options given on {@code spec}'s command line, by config key (the option's name without
     * dashes that is a key: {@code --from} of {@code --from, --weights}); options that are not
     * config keys are left out.
     */
    static Map<String, Object> given(CommandLine.Model.CommandSpec spec, java.util.Collection<String> keys) {
        Map<String, Object> m = new LinkedHashMap<>();
        CommandLine.ParseResult parsed = spec.commandLine().getParseResult();
        for (OptionSpec o : spec.options()) {
            String key = java.util.Arrays.stream(o.names()).map(n -> n.replaceFirst("^--", "")).filter(keys::contains)
                    .findFirst().orElse(null);
            if (parsed.hasMatchedOption(o) && key != null) {
                // a config holds paths as written, as the JSON file would
                m.put(key, o.getValue() instanceof java.nio.file.Path p ? p.toString() : o.getValue());
            }
        }
        return m;
    }

    /** The training config the command line gives (only what was given). */
    static TrainConfig config(CommandLine.Model.CommandSpec spec) {
        return TrainConfig.fromMap(given(spec, TrainConfig.keys()), "command line");
    }
}
