package org.convkit.cli;

import java.nio.file.Path;
import java.util.Set;
import org.convkit.train.TrainConfig;
import picocli.CommandLine.Option;

/** {@code --config FILE} and {@code --resume RUN_DIR}: for the commands that write a run (train, finetune). */
public final class RunConfigArgs {
    @Option(names = "--config", paramLabel = "FILE", description = "JSON file whose keys are these flag names; flags win.")
    public Path config;

    @Option(names = "--resume", paramLabel = "RUN_DIR", description = "Continue runs/NAME from its last checkpoint.")
    public Path resume;

    /**
     * The command line's training flags over the {@code --config} file, if one was given (flags
     * win).
     *
     * @param otherKeys keys of the file the command reads itself (finetune's options)
     */
    TrainConfig overFile(TrainConfig flags, Set<String> otherKeys) {
        return config == null ? flags : TrainConfig.read(config, otherKeys).overlay(flags);
    }
}
