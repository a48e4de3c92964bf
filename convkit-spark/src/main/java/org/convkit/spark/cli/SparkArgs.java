package org.convkit.spark.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import org.convkit.core.ConvkitException;
import picocli.CommandLine.Option;

/**
 * Where a {@code convkit spark} job runs and how it is cut, declared once for its commands. No
 * Spark type appears here: picocli reads this class when any convkit command starts, with or
 * without Spark on the class path.
 */
public final class SparkArgs {
    @Option(names = "--master", paramLabel = "URL",
            description = "Where the job runs: local[N] (this machine, N cores), spark://HOST:7077 (a standalone"
                    + " cluster); yarn and k8s://... through spark-submit (docs/spark.md). Default: spark-submit's --master,"
                    + " else local[*].")
    String master;

    @Option(names = "--conf", paramLabel = "KEY=VALUE",
            description = "A Spark setting, e.g. --conf spark.executor.memory=4g (repeatable).")
    Map<String, String> conf = new LinkedHashMap<>();

    @Option(names = "--partitions", paramLabel = "N",
            description = "Tasks the images are cut into (default: predict and eval one per 1,000 images and at least"
                    + " one per core; pack one per --shard-size of files).")
    Integer partitions;

    /** Partitions for {@code count} images: --partitions, else one per 1,000 images, at least {@code cores}. */
    int partitions(long count, int cores) {
        if (partitions != null) {
            if (partitions < 1) {
                throw new ConvkitException("--partitions " + partitions + ": must be at least 1");
            }
            return partitions;
        }
        return (int) Math.max(cores, (count + 999) / 1000);
    }

    /** Starts (or joins) the Spark session; fails with what to do when Spark is not on the class path. */
    SparkJob start(String name) {
        try {
            Class.forName("org.apache.spark.sql.SparkSession");
        } catch (ClassNotFoundException e) {
            throw new ConvkitException("Spark is not on the class path: run `convkit spark` through the launcher"
                    + " (./convkit spark ..., which adds it), or submit convkit-spark/target/convkit-spark-*-all.jar with"
                    + " spark-submit (see docs/spark.md)");
        }
        return SparkJob.start("convkit spark " + name, master, conf);
    }
}
