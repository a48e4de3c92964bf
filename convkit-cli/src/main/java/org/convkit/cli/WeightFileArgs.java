package org.convkit.cli;

import java.nio.file.Path;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code --weights FILE [--key-map FILE]}: a weights file from elsewhere, for every command that reads one. */
public final class WeightFileArgs {
    @Option(names = "--weights", paramLabel = "FILE",
            description = "Weights to load: a PyTorch state dict (.pth/.pt written by torch.save, the zip format or"
                    + " the legacy one of PyTorch < 1.6; or .safetensors). Keys as the model's reference implementation"
                    + " names them (torchvision, timm for resnet, d2l for the d2l models, convkit's own); otherwise lined"
                    + " up by position when every tensor's shape and kind match in order (the mapping is printed), or"
                    + " renamed by --key-map. Strict: every parameter must get a value.")
    public Path weights;

    @Mixin
    public KeyMapArgs keyMap;
}
