package org.convkit.cli;

import org.convkit.model.ModelOptions;
import org.convkit.model.Zoo;
import picocli.CommandLine.Option;

/**
 * The options that pick and shape a network, all but {@code --input CxHxW}: for commands whose
 * {@code --input} names data (e.g. {@code forward --input x.npy}, where the array gives the shape).
 * Commands that build a network from flags alone use {@link ModelArgs}.
 */
public class ModelFlags {
    // not required at the picocli level: eval/predict take --model only with --weights (a checkpoint
    // names its own); the commands that always need it ask through model()
    @Option(names = {"-m", "--model"}, paramLabel = "NAME",
            description = "Architecture, e.g. resnet18, vgg16_bn, lenet (see `convkit models`).")
    public String model;

    @Option(names = "--classes", paramLabel = "N", description = "Classes per head (default: the model's own).")
    public Integer classes;

    @Option(names = "--heads", paramLabel = "K", description = "Parallel classifier heads (default: 1).")
    public Integer heads;

    @Option(names = "--dropout", paramLabel = "P", description = "Dropout rate where the model has dropout (alexnet*, vgg*, nin, googlenet, simplecnn; default: as published).")
    public Double dropout;

    @Option(names = "--width", paramLabel = "X", description = "Width multiplier for hidden layers (default: 1).")
    public Double width;

    @Option(names = "--stem", paramLabel = "S", description = "ResNet stem: imagenet or cifar (3x3 conv, no max-pool).")
    public String stem;

    @Option(names = "--arch", paramLabel = "SPEC",
            description = "Conv stages: vgg e.g. 1x64,1x128,2x256,2x512,2x512; simplecnn e.g. 64,128,256.")
    public String arch;

    @Option(names = "--fc", paramLabel = "WIDTHS", description = "Hidden FC widths (simplecnn), e.g. 1024,512.")
    public String fc;

    @Option(names = "--activation", paramLabel = "A", description = "LeNet activation: sigmoid or relu.")
    public String activation;

    /** The {@code --model} given; a usage error (exit 2) when it was not. */
    public String model() {
        if (model == null) {
            throw new UsageError("Missing required option: '--model=NAME' (see `convkit models`)");
        }
        return model;
    }

    /** The family options given ({@code --classes}, {@code --width} ...), by flag, for refusing them where they mean nothing. */
    public java.util.List<String> shapeFlagsGiven() {
        java.util.List<String> out = new java.util.ArrayList<>();
        java.util.Map<String, Object> all = new java.util.LinkedHashMap<>();
        all.put("--classes", classes);
        all.put("--heads", heads);
        all.put("--dropout", dropout);
        all.put("--width", width);
        all.put("--stem", stem);
        all.put("--arch", arch);
        all.put("--fc", fc);
        all.put("--activation", activation);
        all.forEach((flag, v) -> {
            if (v != null) {
                out.add(flag);
            }
        });
        return out;
    }

    /**
     * The model's published defaults with every given flag applied.
     *
     * @param input "CxHxW" (or HxW, or a size), {@code null} = the model's own
     */
    public ModelOptions options(String input) {
        ModelOptions o = Zoo.get(model()).defaults();
        if (input != null) {
            o = o.withInputSpec(input);
        }
        if (classes != null) {
            o = o.withClasses(classes);
        }
        if (heads != null) {
            o = o.withHeads(heads);
        }
        if (dropout != null) {
            o = o.withDropout(dropout);
        }
        if (width != null) {
            o = o.withWidthMultiplier(width);
        }
        if (stem != null) {
            o = o.withStem(stem);
        }
        if (arch != null) {
            o = o.withArch(arch);
        }
        if (fc != null) {
            o = o.withFc(fc);
        }
        if (activation != null) {
            o = o.withActivation(activation);
        }
        return o;
    }
}
