package org.convkit.cli;

import org.convkit.model.ConvNet;
import org.convkit.model.ModelOptions;
import org.convkit.model.Zoo;
import picocli.CommandLine.Option;

/** The options that pick and shape a network; shared by every command that builds one. */
public final class ModelArgs extends ModelFlags {
    @Option(names = "--input", paramLabel = "CxHxW",
            description = "Input shape, e.g. 3x224x224 or 1x28x28 (default: the model's own).")
    public String input;

    /** The model's published defaults with every given flag applied. */
    public ModelOptions options() {
        return options(input);
    }

    public ConvNet build() {
        return Zoo.create(model(), options());
    }
}
