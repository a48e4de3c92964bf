package org.convkit.spark;

import java.io.Serializable;
import org.apache.spark.SparkContext;
import org.apache.spark.util.LongAccumulator;

/**
 * What a job's tasks did, counted across the cluster with Spark accumulators and read on the
 * driver once the job is done: models opened (one per executor JVM that ran a task, whatever the
 * tasks, partitions and stages), images predicted and images that could not be used. A task that
 * is retried counts again, so these are for reports, not for results.
 *
 * @param modelLoads models opened by executors
 * @param images images answered (predicted or failed)
 * @param failures images that got an error instead of a prediction
 */
public record JobCounters(LongAccumulator modelLoads, LongAccumulator images, LongAccumulator failures)
        implements Serializable {

    /** New counters, registered with the job's SparkContext. */
    public static JobCounters register(SparkContext sc) {
        return new JobCounters(sc.longAccumulator("convkit models loaded"), sc.longAccumulator("convkit images"),
                sc.longAccumulator("convkit images failed"));
    }
}
