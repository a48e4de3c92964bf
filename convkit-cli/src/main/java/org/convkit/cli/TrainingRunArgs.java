package org.convkit.cli;

import java.util.Set;
import org.convkit.train.TrainConfig;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * What the commands that write a training run ({@code train}, {@code finetune}) take and do alike:
 * every training option ({@link TrainArgs}), {@code --config} and {@code --resume} ({@link
 * RunConfigArgs}), the config they add up to, and the child process a bf16 run needs.
 */
public final class TrainingRunArgs {
    @Mixin
    public TrainArgs options;

    @Mixin
    public RunConfigArgs run;

    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    /**
     * The command line's training flags over the {@code --config} file, if one was given (flags win).
     *
     * @param otherKeys keys of the file the command reads itself (finetune's options)
     */
    TrainConfig config(Set<String> otherKeys) {
        return run.overFile(TrainArgs.config(spec), otherKeys);
    }

    /**
     * For {@code --precision bf16} (flag or config file): this command run again in a child JVM that
     * computes in bfloat16 ({@link PrecisionArgs#relaunchIfNeeded}).
     *
     * @return the child's exit code when it ran, else null (go on here)
     */
    Integer relaunchIfNeeded(TrainConfig c) {
        return PrecisionArgs.relaunchIfNeeded(c.precision(), true, spec); // bf16 checked on the layout training runs
    }
}
