package org.convkit.cli;

import org.convkit.core.ConvkitException;
import org.convkit.model.ConvNet;
import org.convkit.model.weights.LoadReport;
import org.convkit.model.weights.Weights;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code --weights FILE [--key-map FILE] [--ignore-head]}: start a network built from flags with
 * saved weights (forward, export-weights). A convkit checkpoint directory is accepted too.
 */
public final class WeightsArgs {
    @Mixin
    public WeightFileArgs file;

    @Option(names = "--ignore-head",
            description = "Load all but the classifier (which starts fresh): for another class count.")
    public boolean ignoreHead;

    /** Loads the weights into {@code net} (initialized) if {@code --weights} was given. */
    public LoadReport applyTo(ConvNet net) {
        if (file.weights == null) {
            if (ignoreHead) {
                throw new ConvkitException("--ignore-head needs --weights FILE");
            }
            if (file.keyMap.keyMap != null) {
                throw new ConvkitException("--key-map needs --weights FILE");
            }
            return null;
        }
        LoadReport r = Weights.load(net, file.weights, ignoreHead, file.keyMap.read());
        System.err.println(r.summary());
        return r;
    }
}
