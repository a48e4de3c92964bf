package org.convkit.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --config FILE} and {@code --resume RUN_DIR}: for the commands that write a run (train, finetune). */
public final class RunConfigArgs {
    @Option(names = "--config", paramLabel = "FILE", description = "JSON file whose keys are these flag names; flags win.")
    public Path config;

    @Option(names = "--resume", paramLabel = "RUN_DIR", description = "Continue runs/NAME from its last checkpoint.")
    public Path resume;
}
