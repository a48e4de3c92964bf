package org.convkit.cli;

import picocli.CommandLine.Option;

/**
 * {@code --device}, declared once for every command that runs a network on libtorch: train,
 * finetune and lr-find (through {@link TrainArgs}, as the training config key {@code device}: only a
 * device given on the command line is taken from here, so a config file's still counts), eval,
 * predict and serve ({@link InferenceArgs}) and forward.
 */
public final class DeviceArgs {
    @Option(names = "--device", defaultValue = "cpu", paramLabel = "DEV", description = "cpu, cuda or cuda:N (default: ${DEFAULT-VALUE}).")
    public String device;
}
