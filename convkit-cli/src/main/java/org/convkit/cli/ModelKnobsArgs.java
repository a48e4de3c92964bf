package org.convkit.cli;

import org.convkit.model.ModelKnobs;
import picocli.CommandLine.Option;

/**
 * {@code --model} and the knobs of a zoo model ({@link ModelKnobs}), declared once for every command
 * that shapes a network: {@code train}, {@code finetune}, {@code lr-find} (as training config keys of
 * the same names) and the commands that build or load one from flags ({@link ModelFlags}).
 */
public final class ModelKnobsArgs {
    // no picocli default: train's recipe chooses by data, and a checkpoint names its own
    @Option(names = {"-m", "--model"}, paramLabel = "NAME",
            description = "Architecture, e.g. resnet18, vgg16_bn, lenet (see `convkit models`); a checkpoint names its"
                    + " own, a weights file needs it. Left out, train and lr-find choose by data: simplecnn for gray"
                    + " images up to 32 px, resnet9 for a folder of photos, else resnet18.")
    public String model;

    @Option(names = "--width", paramLabel = "X", description = "Width multiplier for hidden layers (default: 1).")
    public Double width;

    @Option(names = "--arch", paramLabel = "SPEC",
            description = "Conv stages: vgg e.g. 1x64,1x128,2x256,2x512,2x512; simplecnn e.g. 64,128,256.")
    public String arch;

    @Option(names = "--fc", paramLabel = "WIDTHS", description = "Hidden FC widths (simplecnn), e.g. 1024,512.")
    public String fc;

    @Option(names = "--dropout", paramLabel = "P", description = "Dropout rate where the model has dropout (alexnet*,"
            + " vgg*, nin, googlenet, simplecnn; default: as published).")
    public Double dropout;

    @Option(names = "--stem", paramLabel = "S", description = "ResNet stem: imagenet or cifar (3x3 conv, no max-pool); resnet9: cifar (default) or stride2.")
    public String stem;

    @Option(names = "--activation", paramLabel = "A", description = "LeNet activation: sigmoid or relu.")
    public String activation;

    @Option(names = "--pool", paramLabel = "P", description = "resnet9's global pooling: max (default, Page's) or concat"
            + " (max and average side by side, fastai's head; twice the inputs to the last Linear).")
    public String pool;

    /** The knobs given (not --model). */
    public ModelKnobs knobs() {
        return new ModelKnobs(width, arch, fc, dropout, stem, activation, pool);
    }
}
