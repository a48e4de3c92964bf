package org.convkit.cli;

import java.util.Set;
import java.util.concurrent.Callable;
import org.convkit.train.Recipe;
import org.convkit.train.TrainConfig;
import org.convkit.train.run.Training;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code convkit train}: every option is a key of {@link TrainConfig} (same name), so a config
 * file and the command line say the same things; flags win over the file. Defaults not given
 * anywhere come from {@link Recipe} and are saved in the run folder's config.json.
 */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train a network and write runs/NAME/ (config, metrics, checkpoints, report).",
            "With no options: the main job, a small CNN on Fashion-MNIST (fetched if missing), ~92%% test accuracy."})
final class TrainCommand implements Callable<Integer> {
    @Mixin
    TrainingRunArgs training;

    @Override
    public Integer call() {
        TrainConfig c = training.config(Set.of());
        Integer child = training.relaunchIfNeeded(c);
        if (child != null) {
            return child;
        }
        if (training.run.resume != null) {
            Training.resume(training.run.resume, c, System.out);
        } else {
            Training.run(c, System.out);
        }
        return 0;
    }
}
