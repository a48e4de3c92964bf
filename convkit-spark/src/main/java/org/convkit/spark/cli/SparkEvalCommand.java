package org.convkit.spark.cli;

import java.util.concurrent.Callable;
import org.convkit.cli.EvalArgs;
import org.convkit.cli.EvalCommand;
import org.convkit.eval.CheckpointEvaluation;
import org.convkit.eval.Metrics;
import org.convkit.model.weights.ModelSource;
import org.convkit.spark.SparkEvaluation;
import org.convkit.spark.SparkModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "eval", mixinStandardHelpOptions = true,
        description = {"Evaluate a model on a labelled image folder as a Spark job: the split's images spread over the"
                + " partitions, every image counted exactly once, the partitions' counts merged. The same result and"
                + " output as convkit eval.",
            "Example: convkit spark eval --master local[2] --checkpoint runs/cifar --data data/cifar10 --split test"})
final class SparkEvalCommand implements Callable<Integer> {
    @Mixin
    SparkModelArgs model;

    @Mixin
    SparkArgs spark;

    /** --data (its images are read by the executors: a path they share), --split, --json. */
    @Mixin
    EvalArgs eval;

    @Override
    public Integer call() throws Exception {
        // an exported .onnx file is refused by ModelSource with the message eval, export and finetune give
        ModelSource source = model.source();
        SparkModel sparkModel = model.sparkModel(source);
        CheckpointEvaluation.Plan plan = CheckpointEvaluation.plan(source,
                new CheckpointEvaluation.Options(eval.data, eval.split, sparkModel.batchSize(), "cpu", null, null, Metrics.DEFAULT_KEEP)
                        .withTta(sparkModel.tta()));
        SparkEvaluation.requireFiles(plan); // a shard folder is refused before Spark starts or "evaluating" is said
        CheckpointEvaluation.Outcome out;
        try (SparkJob job = spark.start("eval")) {
            int parts = spark.partitions(plan.source().size(), job.cores());
            System.err.println("evaluating " + plan.dataName() + " (" + plan.source().size() + " images) in " + parts
                    + " partition(s) on " + job.spark.sparkContext().master());
            out = SparkEvaluation.run(job.spark, plan, sparkModel, parts, Metrics.DEFAULT_KEEP, job.counters);
            System.err.println("model opened by " + job.counters.modelLoads().value() + " executor JVM(s) in this job"
                    + " (each keeps it for its later tasks)");
        }
        EvalCommand.print(source, out, eval.json);
        return 0;
    }
}
