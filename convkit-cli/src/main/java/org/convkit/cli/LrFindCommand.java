package org.convkit.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.convkit.train.TrainConfig;
import org.convkit.train.TrainingPlan;
import org.convkit.train.callback.LrFindReport;
import org.convkit.train.lrfind.LrFinder;
import org.convkit.train.run.Training;
import org.convkit.transfer.FineTuneOptions;
import org.convkit.transfer.FineTuning;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/**
 * {@code convkit lr-find}: the learning-rate range test on a network and data set up as {@code
 * train} (or, with {@code --from}, as {@code finetune}'s first phase) would; prints the suggested
 * learning rate with its rule and writes lr-find.png. The network is left as it was.
 */
@Command(name = "lr-find", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"The learning-rate range test: train with an exponentially growing learning rate until the"
                + " smoothed loss diverges, then suggest a learning rate where the steepest-descent, valley and minimum/10 rules agree (or say there is none).",
            "Writes lr-find.png (log x axis, the suggestion marked), lr-find.csv and lr-find.json into --out."})
final class LrFindCommand implements Callable<Integer> {
    @Option(names = "--start", defaultValue = "1e-7", paramLabel = "LR", description = "First learning rate (default: ${DEFAULT-VALUE}).")
    double start;

    @Option(names = "--end", defaultValue = "10", paramLabel = "LR", description = "Last learning rate (default: ${DEFAULT-VALUE}).")
    double end;

    @Option(names = "--steps", defaultValue = "100", paramLabel = "N", description = "Batches in the sweep (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--out", defaultValue = ".", paramLabel = "DIR", description = "Where the plot and tables go (default: the current folder).")
    Path out;

    @Mixin
    FinetuneArgs source;

    @Mixin
    TrainArgs options;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        TrainConfig c = TrainArgs.config(spec);
        FineTuneOptions ft = FinetuneArgs.given(spec);
        TrainingPlan plan = TrainingPlan.FROM_SCRATCH;
        if (ft.from() != null) {
            // the sweep trains what the first phase of fine-tuning trains: the head, or with
            // --unfreeze the head and those stages
            boolean unfrozen = ft.unfreeze() != null && !ft.unfreeze().equalsIgnoreCase("none");
            plan = new FineTuning(ft.withFreezeEpochs(unfrozen ? 0 : null));
        } else if (ft.unfreeze() != null || ft.adaptChannels() != null || ft.keyMap() != null) {
            throw new org.convkit.core.ConvkitException("--unfreeze, --adapt-channels and --key-map need --from");
        }
        LrFinder.Settings settings = LrFinder.Settings.defaults().with(start, end, steps);
        try (Training.Session s = Training.open(c, null, plan, false, System.out)) {
            System.out.printf(java.util.Locale.ROOT, "sweeping lr %.3g .. %.3g over %d batches of %d ...%n", start, end,
                    steps, s.config().batchSize());
            LrFinder.Result r = s.findLr(s.train(), settings);
            Path png = LrFindReport.write(r, out);
            System.out.println(r.describe());
            System.out.println("plot: " + png);
            if (Double.isFinite(r.suggestion())) {
                System.out.printf(java.util.Locale.ROOT, "suggested --lr %.3g%n", r.suggestion());
            } else {
                System.out.printf(java.util.Locale.ROOT, "suggested --lr %.3g: the safe default for %s, as the range test"
                        + " has no good answer (look at the plot)%n",
                        org.convkit.train.optim.Optimizers.safeLr(s.config().optimizer()), s.config().optimizer());
            }
        }
        return 0;
    }
}
