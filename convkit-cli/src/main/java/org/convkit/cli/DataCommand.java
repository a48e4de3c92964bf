package org.convkit.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

@Command(name = "data", mixinStandardHelpOptions = true,
        description = "Datasets: pack into record shards, verify shards, inspect a dataset, generate digit sequences.",
        subcommands = {DataPackCommand.class, DataVerifyCommand.class, DataInspectCommand.class,
            DataSynthDigitsCommand.class})
final class DataCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
