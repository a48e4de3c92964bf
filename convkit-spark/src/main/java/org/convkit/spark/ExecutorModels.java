package org.convkit.spark;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkEnv;
import org.apache.spark.util.LongAccumulator;
import org.convkit.model.engine.EngineCheck;
import org.convkit.eval.Classifier;

/**
 * The models open in this JVM: each {@link SparkModel} is opened once per executor JVM, on the
 * first task that needs it, and then serves every task and stage that JVM runs (two tasks running
 * at once share it; libtorch runs their forward passes one at a time, each on all the executor's
 * cores, while the tasks decode their next images). Loading a network takes seconds and its
 * weights are hundreds of megabytes: once per row or per task would cost more than the work.
 */
public final class ExecutorModels {
    private static final Map<String, Classifier> OPEN = new LinkedHashMap<>();
    private static final AtomicLong LOADS = new AtomicLong();

    private ExecutorModels() {}

    /**
     * The model, opened in this JVM on first use.
     *
     * @param loads counts the openings across the cluster (the driver reads it after the job), or null
     */
    static Classifier get(SparkModel model, LongAccumulator loads) {
        // one opening at a time: a second task asking for the same model waits for the first
        // instead of loading a second copy
        synchronized (OPEN) {
            Classifier c = OPEN.get(model.key());
            if (c == null) {
                c = model.open(prepareEngine(model));
                OPEN.put(model.key(), c);
                LOADS.incrementAndGet();
                if (loads != null) {
                    loads.add(1);
                }
            }
            return c;
        }
    }

    /** How many times a model was opened in this JVM (in local mode the driver is the executor). */
    public static long loads() {
        return LOADS.get();
    }

    /**
     * Frees the models open in this JVM: for a driver that ran local jobs and goes on with other
     * work. Executors need not call it; their models go with the JVM.
     */
    public static void closeAll() {
        synchronized (OPEN) {
            for (Classifier c : OPEN.values()) {
                c.close();
            }
            OPEN.clear();
        }
    }

    /**
     * The engine settings of an executor, chosen before its first model loads; returns the threads
     * one forward pass may use.
     *
     * <p>THE ONE PLACE for executor engine settings. Threads: one forward pass at a time per JVM
     * for libtorch, on as many threads as the executor has cores ({@code spark.executor.cores}; in
     * {@code local[N]}, N), unless {@code -Dai.djl.pytorch.num_threads} says otherwise; ONNX Runtime
     * gets the same count. Layout, BatchNorm folding and the rest ({@link EngineCheck}): the
     * driver's choice, handed over with {@link EngineCheck#use} (the engine's opt-out for callers
     * that manage this themselves) instead of each executor running the engine's self-check
     * inside a task.
     */
    private static int prepareEngine(SparkModel model) {
        Integer cores = executorCores();
        if (System.getProperty("ai.djl.pytorch.num_threads") == null && cores != null) {
            System.setProperty("ai.djl.pytorch.num_threads", cores.toString());
        }
        if (model.settings() != null) {
            EngineCheck.use(model.settings());
        }
        return cores != null ? cores : Integer.getInteger("ai.djl.pytorch.num_threads", 0);
    }

    /** The cores one executor has, when Spark says. */
    private static Integer executorCores() {
        SparkEnv env = SparkEnv.get();
        if (env == null) {
            return null;
        }
        SparkConf conf = env.conf();
        if (conf.contains("spark.executor.cores")) {
            return conf.getInt("spark.executor.cores", 1);
        }
        String master = conf.get("spark.master", "");
        var local = java.util.regex.Pattern.compile("local\\[(\\d+)(,\\d+)?]").matcher(master);
        return local.matches() ? Integer.valueOf(local.group(1)) : null;
    }
}
