package org.convkit.cli;

import java.util.Set;
import java.util.concurrent.Callable;
import org.convkit.train.TrainConfig;
import org.convkit.transfer.FineTuneOptions;
import org.convkit.transfer.FineTuning;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/**
 * {@code convkit finetune}: a pretrained backbone, a new head, trained in phases (head first,
 * then unfrozen stages at a lower rate) or on cached features. Takes every training flag; a run
 * folder like {@code train}'s, with a {@code phase} column and {@code freezing.json}.
 */
@Command(name = "finetune", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Fine-tune a pretrained network on new data: new head for the data's classes, backbone frozen"
                + " for --freeze-epochs, then --unfreeze'd stages train at --backbone-lr-factor x --lr.",
            "Writes runs/NAME/ as train does; freezing.json proves the frozen parts did not change."})
final class FinetuneCommand implements Callable<Integer> {
    @Mixin
    FinetuneArgs source;

    @Option(names = "--freeze-epochs", paramLabel = "K",
            description = "Epochs that train the head only, backbone frozen (of --epochs; default: 1).")
    Integer freezeEpochs;

    @Option(names = "--backbone-lr-factor", paramLabel = "F",
            description = "After unfreezing, the backbone's learning rate is F x the head's (default: 0.1).")
    Double backboneLrFactor;

    @Option(names = "--mode", paramLabel = "full|features",
            description = "full: train through the images; features: compute the backbone's features once per image"
                    + " (evaluation mode, no augmentation), cache them in the run folder and train the head on them"
                    + " (default: full).")
    String mode;

    @Mixin
    TrainingRunArgs training;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        RunConfigArgs run = training.run;
        FineTuneOptions ft = FinetuneArgs.given(spec);
        if (run.config != null) {
            ft = FineTuneOptions.fromMap(TrainConfig.readMap(run.config, Set.of())).overlay(ft);
        }
        TrainConfig c = training.config(FineTuneOptions.keys());
        // as train: --precision bf16 runs in a child JVM that computes in bfloat16 (this one would say it cannot)
        Integer child = training.relaunchIfNeeded(c);
        if (child != null) {
            return child;
        }
        if (run.resume != null) {
            // as train --resume: --config and flags may change what a resume may change (--epochs,
            // threads ...); the fine-tuning plan itself is the run's
            if (!ft.toMap().isEmpty()) {
                throw new org.convkit.core.ConvkitException("--resume " + run.resume + ": the fine-tuning options ("
                        + String.join(", ", ft.toMap().keySet()) + ") come from the run; leave them out");
            }
            FineTuning.resume(run.resume, c, System.out);
        } else {
            FineTuning.run(c, ft, System.out);
        }
        return 0;
    }
}
