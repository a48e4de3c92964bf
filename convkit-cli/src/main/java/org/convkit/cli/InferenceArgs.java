package org.convkit.cli;

import org.convkit.eval.Tta;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** The options of every command that runs a model on images (eval, predict, serve): the model and its classes, how to run it. */
public final class InferenceArgs {
    @Mixin
    public ModelSourceArgs model;

    @Mixin
    public DeviceArgs device;

    @Option(names = "--transforms", paramLabel = "SPEC",
            description = "Override the model's evaluation transform, e.g. resize=224x224 (no random steps).")
    public String transforms;

    @Option(names = "--workers", paramLabel = "N", description = "Decoding threads (default: one per core; serve: images decoded at once).")
    public Integer workers;

    @Mixin
    public PrecisionArgs precision;

    @Mixin
    public TtaArgs tta;

    // the command this is mixed into, whose command line a bf16 child JVM runs again
    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    /**
     * For {@code --precision bf16}: this command run again in a child JVM that computes in bfloat16
     * ({@link PrecisionArgs#relaunchIfNeeded}); call it before the engine loads.
     *
     * @return the child's exit code when it ran, else null (go on here)
     */
    public Integer relaunchIfNeeded() {
        return precision.relaunchIfNeeded(spec);
    }

    /** {@code --device} as given, or its default. */
    public String device() {
        return device.device;
    }

    /** {@code --tta} as given, checked. */
    public Tta tta() {
        return tta.tta();
    }
}
