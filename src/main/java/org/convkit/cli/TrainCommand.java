package org.convkit.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.convkit.train.Recipe;
import org.convkit.train.TrainConfig;
import org.convkit.train.Training;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;

/**
 * {@code convkit train}: every option is a key of {@link TrainConfig} (same name), so a config
 * file and the command line say the same things; flags win over the file. Defaults not given
 * anywhere come from {@link Recipe} and are saved in the run folder's config.json.
 */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train a network and write runs/NAME/ (config, metrics, checkpoints, report).",
            "With no options: the main job, a small CNN on Fashion-MNIST (fetched if missing), ~92%% test accuracy."})
final class TrainCommand implements Callable<Integer> {
    @Option(names = "--data", paramLabel = "D", description = "Dataset name (fashion-mnist, mnist, cifar10) or path (default: "
            + Recipe.DEFAULT_DATA + ").")
    String data;

    @Option(names = {"-m", "--model"}, paramLabel = "NAME", description = "Architecture (see `convkit models`); default: a"
            + " small Conv-BN stack for small gray images, resnet18 otherwise.")
    String model;

    @Option(names = "--epochs", paramLabel = "N", description = "Epochs (default: 6 for the main job, else 10).")
    Integer epochs;

    @Option(names = "--batch-size", paramLabel = "B", description = "Samples per batch (default: 128 up to 64x64 inputs, else 32).")
    Integer batchSize;

    @Option(names = "--lr", paramLabel = "X", description = "Peak learning rate (default: sgd 0.1, adam/adamw/rmsprop 0.001).")
    Double lr;

    @Option(names = "--optimizer", paramLabel = "O", description = "sgd, adam, adamw or rmsprop (default: sgd).")
    String optimizer;

    @Option(names = "--momentum", paramLabel = "M", description = "SGD/RMSprop momentum, Adam's beta1 (default: 0.9; rmsprop 0).")
    Double momentum;

    @Option(names = "--nesterov", negatable = true, description = "Nesterov momentum (SGD; default: on with momentum).")
    Boolean nesterov;

    @Option(names = "--weight-decay", paramLabel = "W", description = "L2 penalty, decoupled for adamw (default: sgd 5e-4, adamw 0.01, else 0).")
    Double weightDecay;

    @Option(names = "--schedule", paramLabel = "S", description = "constant, step, cosine or onecycle (default: onecycle).")
    String schedule;

    @Option(names = "--warmup", paramLabel = "EPOCHS", description = "Linear warm-up in epochs; for onecycle the climb (default: 30%% of the run).")
    Double warmup;

    @Option(names = "--step-epochs", paramLabel = "N", description = "step schedule: decay every N epochs (default: a third of the run).")
    Integer stepEpochs;

    @Option(names = "--gamma", paramLabel = "G", description = "step schedule: decay factor (default: 0.1).")
    Double gamma;

    @Option(names = "--label-smoothing", paramLabel = "E", description = "Cross-entropy label smoothing (default: 0.1).")
    Double labelSmoothing;

    @Option(names = "--loss", paramLabel = "L", description = "ce (logits) or nll (log-probabilities) (default: ce).")
    String loss;

    @Option(names = "--grad-accum", paramLabel = "K", description = "Add up K batches' gradients per step (default: 1).")
    Integer gradAccum;

    @Option(names = "--clip", paramLabel = "NORM", description = "Clip the global gradient norm (default: 0 = off).")
    Double clip;

    @Option(names = "--image-size", paramLabel = "S", description = "Input S x S (default: the data's size, else the model's).")
    Integer imageSize;

    @Option(names = "--augment", paramLabel = "A", description = "none, light (flips) or standard (crops + flips) (default: by data).")
    String augment;

    @Option(names = "--normalize", paramLabel = "N", description = "auto (training-set statistics), none, or a preset such as imagenet (default: auto).")
    String normalize;

    @Option(names = "--valid-split", paramLabel = "F", description = "Share of train held out for validation when the data has no valid split (default: 0.1).")
    Double validSplit;

    @Option(names = "--patience", paramLabel = "N", description = "Stop early after N epochs without a better validation accuracy (default: off).")
    Integer patience;

    @Option(names = "--seed", paramLabel = "N", description = "Seed: the same seed repeats a CPU run exactly (default: 0).")
    Long seed;

    @Option(names = "--run", paramLabel = "NAME", description = "Run folder name under --runs-dir (default: model-data-time).")
    String run;

    @Option(names = "--runs-dir", paramLabel = "DIR", description = "Where run folders go (default: runs).")
    String runsDir;

    @Option(names = "--device", paramLabel = "D", description = "cpu or cuda[:N] (default: cpu).")
    String device;

    @Option(names = "--threads", paramLabel = "N", description = "Compute threads (default: all cores).")
    Integer threads;

    @Option(names = "--workers", paramLabel = "N", description = "Data loading threads (default: all cores).")
    Integer workers;

    @Option(names = "--checkpoint-minutes", paramLabel = "M", description = "Also save checkpoints/last every M minutes within an epoch (default: 10; 0 = epoch ends only).")
    Double checkpointMinutes;

    @Option(names = "--checkpoint-batches", paramLabel = "N", hidden = true, description = "Also save every N batches (tests).")
    Integer checkpointBatches;

    @Option(names = "--width", paramLabel = "X", description = "Model width multiplier.")
    Double width;

    @Option(names = "--arch", paramLabel = "SPEC", description = "Conv stages (simplecnn e.g. 32,64; vgg e.g. 1x64,1x128).")
    String arch;

    @Option(names = "--fc", paramLabel = "WIDTHS", description = "Hidden FC widths (simplecnn), e.g. 128.")
    String fc;

    @Option(names = "--dropout", paramLabel = "P", description = "Classifier dropout.")
    Double dropout;

    @Option(names = "--stem", paramLabel = "S", description = "ResNet stem: imagenet or cifar.")
    String stem;

    @Option(names = "--activation", paramLabel = "A", description = "LeNet activation: sigmoid or relu.")
    String activation;

    @Option(names = "--config", paramLabel = "FILE", description = "JSON file whose keys are these flag names; flags win.")
    Path config;

    @Option(names = "--resume", paramLabel = "RUN_DIR", description = "Continue runs/NAME from its last checkpoint.")
    Path resume;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        TrainConfig flags = TrainConfig.fromMap(given(), "command line");
        if (resume != null) {
            if (config != null) {
                flags = TrainConfig.read(config).overlay(flags);
            }
            Training.resume(resume, flags, System.out);
            return 0;
        }
        TrainConfig c = config != null ? TrainConfig.read(config).overlay(flags) : flags;
        Training.run(c, System.out);
        return 0;
    }

    /** The options given on the command line, by config key (the long name without dashes). */
    private Map<String, Object> given() {
        Map<String, Object> m = new LinkedHashMap<>();
        CommandLine.ParseResult parsed = spec.commandLine().getParseResult();
        for (OptionSpec o : spec.options()) {
            String key = o.longestName().replaceFirst("^--", "");
            if (parsed.hasMatchedOption(o) && TrainConfig.keys().contains(key)) {
                m.put(key, o.getValue());
            }
        }
        return m;
    }
}
