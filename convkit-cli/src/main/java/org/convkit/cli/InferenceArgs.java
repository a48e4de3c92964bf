package org.convkit.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The options of every command that runs a saved checkpoint on images (eval, predict). */
public final class InferenceArgs {
    @Option(names = "--checkpoint", required = true, paramLabel = "RUN_OR_DIR",
            description = "A run folder (uses checkpoints/best, else last) or a checkpoint directory.")
    public Path checkpoint;

    @Option(names = "--device", defaultValue = "cpu", paramLabel = "DEV", description = "cpu, cuda or cuda:N (default: ${DEFAULT-VALUE}).")
    public String device;

    @Option(names = "--transforms", paramLabel = "SPEC",
            description = "Override the checkpoint's evaluation transform, e.g. resize=224x224 (no random steps).")
    public String transforms;

    @Option(names = "--workers", paramLabel = "N", description = "Decoding threads (default: one per core).")
    public Integer workers;
}
