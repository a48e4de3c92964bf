package org.convkit.spark.cli;

import picocli.CommandLine.Command;

/**
 * {@code convkit spark}: predict, eval and pack as Apache Spark jobs. Found by the CLI's {@code
 * Main} when this module is on the class path.
 */
@Command(name = "spark", mixinStandardHelpOptions = true,
        description = {"Predict, evaluate and pack as Apache Spark jobs: on this machine (--master local[N]) or a cluster"
                + " (spark://..., or spark-submit with convkit-spark-*-all.jar). See docs/spark.md."},
        subcommands = {SparkPredictCommand.class, SparkEvalCommand.class, SparkPackCommand.class})
public final class SparkCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
