package org.convkit.spark.cli;

import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import org.convkit.spark.ExecutorModels;
import org.convkit.spark.JobCounters;

/**
 * The Spark session of one {@code convkit spark} command, and its counters. A session this command
 * started is stopped at the end; one it joined (spark-submit's, a test's) is left running.
 */
final class SparkJob implements AutoCloseable {
    final SparkSession spark;
    final JobCounters counters;
    final JobClock clock = new JobClock();
    private final boolean own;

    private SparkJob(SparkSession spark, boolean own) {
        this.spark = spark;
        this.own = own;
        this.counters = JobCounters.register(spark.sparkContext());
        spark.sparkContext().addSparkListener(clock);
    }

    static SparkJob start(String appName, String master, Map<String, String> conf) {
        // Hadoop's warning that it has no native library (it needs none for what convkit reads)
        if (System.getProperty("org.slf4j.simpleLogger.log.org.apache.hadoop.util.NativeCodeLoader") == null) {
            System.setProperty("org.slf4j.simpleLogger.log.org.apache.hadoop.util.NativeCodeLoader", "error");
        }
        boolean running = SparkSession.getActiveSession().isDefined() || SparkSession.getDefaultSession().isDefined();
        SparkSession.Builder b = SparkSession.builder().appName(appName);
        SparkConf defaults = new SparkConf(); // what spark-submit passed (system properties spark.*)
        if (master != null) {
            b.master(master);
        } else if (!defaults.contains("spark.master")) {
            b.master("local[*]");
        }
        // a command-line job: Spark's stage progress on the console, no web UI unless asked for
        if (!defaults.contains("spark.ui.showConsoleProgress")) {
            b.config("spark.ui.showConsoleProgress", "true");
        }
        if (!defaults.contains("spark.ui.enabled")) {
            b.config("spark.ui.enabled", "false");
        }
        conf.forEach(b::config);
        return new SparkJob(b.getOrCreate(), !running);
    }

    /** Cores the job can use at once: Spark's default parallelism. */
    int cores() {
        return spark.sparkContext().defaultParallelism();
    }

    @Override
    public void close() {
        spark.sparkContext().removeSparkListener(clock);
        if (own) {
            ExecutorModels.closeAll(); // local mode: the driver was the executor
            spark.stop();
        }
    }
}
