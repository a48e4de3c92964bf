package org.convkit.cli;

import java.util.ArrayList;
import java.util.List;
import org.convkit.model.ModelOptions;
import org.convkit.model.Zoo;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The options that pick and shape a network, all but {@code --input CxHxW}: for commands whose
 * {@code --input} names data (e.g. {@code forward --input x.npy}, where the array gives the shape).
 * Commands that build a network from flags alone use {@link ModelArgs}.
 */
public class ModelFlags {
    // --model and its knobs. --model is not required at the picocli level: eval/predict take it only
    // with --weights (a checkpoint names its own); the commands that always need it ask through model()
    @Mixin
    public ModelKnobsArgs knobs;

    @Option(names = "--classes", paramLabel = "N", description = "Classes per head (default: the model's own).")
    public Integer classes;

    @Option(names = "--heads", paramLabel = "K", description = "Parallel classifier heads (default: 1).")
    public Integer heads;

    /** The {@code --model} given, or null. */
    public String given() {
        return knobs.model;
    }

    /** The {@code --model} given; a usage error (exit 2) when it was not. */
    public String model() {
        if (given() == null) {
            throw new UsageError("Missing required option: '--model=NAME' (see `convkit models`)");
        }
        return given();
    }

    /** The shape options given ({@code --classes}, {@code --width} ...), by flag, for refusing them where they mean nothing. */
    public List<String> shapeFlagsGiven() {
        List<String> out = new ArrayList<>();
        if (classes != null) {
            out.add("--classes");
        }
        if (heads != null) {
            out.add("--heads");
        }
        out.addAll(knobs.knobs().flagsGiven());
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
        return knobs.knobs().applyTo(o);
    }
}
