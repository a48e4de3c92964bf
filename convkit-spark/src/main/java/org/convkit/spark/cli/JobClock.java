package org.convkit.spark.cli;

import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobEnd;
import org.apache.spark.scheduler.SparkListenerJobStart;

/**
 * The time Spark's jobs ran, from the first job's start to the last one's end as the scheduler
 * saw them: the work on the executors (model opening included), without the JVM's and Spark's
 * start-up, the listing and the query planning before it. What a cluster's throughput is made of.
 */
final class JobClock extends SparkListener {
    private long first = Long.MAX_VALUE;
    private long last = Long.MIN_VALUE;

    @Override
    public synchronized void onJobStart(SparkListenerJobStart start) {
        first = Math.min(first, start.time());
    }

    @Override
    public synchronized void onJobEnd(SparkListenerJobEnd end) {
        last = Math.max(last, end.time());
    }

    /** Seconds from the first job's start to the last one's end, or NaN before any ended. */
    synchronized double seconds() {
        return last < first ? Double.NaN : (last - first) / 1e3;
    }
}
