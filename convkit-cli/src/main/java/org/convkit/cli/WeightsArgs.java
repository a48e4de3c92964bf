package org.convkit.cli;

import java.nio.file.Path;
import org.convkit.model.ConvNet;
import org.convkit.model.weights.LoadReport;
import org.convkit.model.weights.Weights;
import picocli.CommandLine.Option;

/** {@code --weights FILE [--ignore-head]}: start a network from saved weights. */
public final class WeightsArgs {
    @Option(names = "--weights", paramLabel = "FILE",
            description = "Weights to load: a PyTorch state dict (.safetensors, or .pth/.pt from torch.save;"
                    + " torchvision key names, timm's for resnet, d2l's for the d2l models) or a convkit checkpoint"
                    + " directory."
                    + " Strict: every key must fit.")
    public Path weights;

    @Option(names = "--ignore-head",
            description = "Load all but the classifier (which starts fresh): for another class count.")
    public boolean ignoreHead;

    /** Loads the weights into {@code net} (initialized) if {@code --weights} was given. */
    public LoadReport applyTo(ConvNet net) {
        if (weights == null) {
            if (ignoreHead) {
                throw new org.convkit.core.ConvkitException("--ignore-head needs --weights FILE");
            }
            return null;
        }
        LoadReport r = Weights.load(net, weights, ignoreHead);
        System.err.println("loaded " + r.loaded() + " tensors from " + weights + " (" + r.keyStyle() + " keys"
                + (r.skipped().isEmpty() ? "" : "; classifier left fresh: " + String.join(", ", r.skipped())) + ")");
        return r;
    }
}
