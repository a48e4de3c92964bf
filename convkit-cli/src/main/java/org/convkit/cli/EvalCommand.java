package org.convkit.cli;

import java.util.concurrent.Callable;
import org.convkit.core.Json;
import org.convkit.core.Runtime;
import org.convkit.eval.CheckpointEvaluation;
import org.convkit.eval.Metrics;
import org.convkit.eval.ResultText;
import org.convkit.model.weights.ModelSource;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "eval", mixinStandardHelpOptions = true,
        description = {"Evaluate a model on a dataset split: accuracy, top-5 (10+ classes), loss, per-class "
                + "precision/recall/F1 and the confusion matrix. Every sample is read once, in evaluation mode, "
                + "with the model's evaluation transform (no augmentation). The model is a convkit checkpoint, or a zoo"
                + " model with weights from elsewhere (--model M --weights FILE).",
            "Example: convkit eval --checkpoint runs/fashion --data fashion-mnist --split test",
            "         convkit eval --model lenet --weights lenet.pth --data fashion-mnist --normalize none"})
public final class EvalCommand implements Callable<Integer> {
    @Mixin
    InferenceArgs run;

    @Mixin
    EvalArgs eval;

    /** How --data is read, over the run's own way (its config.json) when --data is left out. */
    @Mixin
    DataArgs dataOptions;

    @Option(names = "--batch-size", defaultValue = "256", paramLabel = "N", description = "Default: ${DEFAULT-VALUE}.")
    int batchSize;

    @Override
    public Integer call() throws Exception {
        // before the engine loads: a bf16 run is a child process, and this one only waits for it
        Integer child = run.relaunchIfNeeded();
        if (child != null) {
            return child;
        }
        Runtime.init();
        // --class-names names the data's classes as well as the model's: with a checkpoint, those of the data
        ModelSource source = run.model.sourceNamingData();
        CheckpointEvaluation.Outcome out = CheckpointEvaluation.run(source,
                new CheckpointEvaluation.Options(eval.data, eval.split, batchSize, run.device(), run.transforms, run.workers,
                        Metrics.DEFAULT_KEEP, open -> dataOptions.applyTo(open, run.model.classNames)).withTta(run.tta()));
        print(source, out, eval.json);
        return 0;
    }

    /** Prints an evaluation's outcome as {@code convkit eval} does (also {@code convkit spark eval}'s). */
    public static void print(ModelSource source, CheckpointEvaluation.Outcome out, boolean json) {
        if (json) {
            System.out.println(Json.prettyString(out));
            return;
        }
        System.out.println((source.isCheckpoint() ? "checkpoint " : "weights    ") + out.checkpoint() + " ("
                + out.architecture() + ", input " + out.input() + ")");
        System.out.println("data       " + out.data());
        System.out.println("transforms " + out.transforms());
        if (!out.skipped().isEmpty()) {
            System.out.println("skipped    " + out.skipped().size() + " unreadable sample(s), e.g. "
                    + out.skipped().get(0).id() + ": " + out.skipped().get(0).reason());
        }
        System.out.println();
        System.out.print(ResultText.of(out.result()));
    }
}
