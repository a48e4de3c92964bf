package org.convkit.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.convkit.core.Runtime;
import org.convkit.eval.CheckpointEvaluation;
import org.convkit.eval.Metrics;
import org.convkit.eval.ResultText;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "eval", mixinStandardHelpOptions = true,
        description = {"Evaluate a checkpoint on a dataset split: accuracy, top-5 (10+ classes), loss, per-class "
                + "precision/recall/F1 and the confusion matrix. Every sample is read once, in evaluation mode, "
                + "with the checkpoint's evaluation transform (no augmentation).",
            "Example: convkit eval --checkpoint runs/fashion --data fashion-mnist --split test"})
final class EvalCommand implements Callable<Integer> {
    @Mixin
    InferenceArgs run;

    @Option(names = "--data", paramLabel = "D",
            description = "Dataset name or path (default: the run's own data, from its config.json).")
    String data;

    @Option(names = "--split", defaultValue = "test", paramLabel = "S",
            description = "train, valid or test (default: ${DEFAULT-VALUE}).")
    String split;

    @Option(names = "--batch-size", defaultValue = "256", paramLabel = "N", description = "Default: ${DEFAULT-VALUE}.")
    int batchSize;


    @Option(names = "--json", description = "Print the full result as JSON (for scripts).")
    boolean json;

    @Override
    public Integer call() throws Exception {
        Runtime.init();
        CheckpointEvaluation.Outcome out = CheckpointEvaluation.run(run.checkpoint,
                new CheckpointEvaluation.Options(data, split, batchSize, run.device, run.transforms, run.workers, Metrics.DEFAULT_KEEP));
        if (json) {
            System.out.println(new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(out));
            return 0;
        }
        System.out.println("checkpoint " + out.checkpoint() + " (" + out.architecture() + ", input " + out.input() + ")");
        System.out.println("data       " + out.data());
        System.out.println("transforms " + out.transforms());
        if (!out.skipped().isEmpty()) {
            System.out.println("skipped    " + out.skipped().size() + " unreadable sample(s), e.g. "
                    + out.skipped().get(0).id() + ": " + out.skipped().get(0).reason());
        }
        System.out.println();
        System.out.print(ResultText.of(out.result()));
        return 0;
    }
}
