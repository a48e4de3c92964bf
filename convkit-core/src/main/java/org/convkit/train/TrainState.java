package org.convkit.train;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where training is, enough to continue exactly: the epoch and batch position, the optimizer step
 * (which is also the schedule's position and, with the seed, the random state), the best
 * validation result so far, and the running sums of a half-done epoch. Saved in every checkpoint's
 * {@code training.json}.
 */
public final class TrainState {
    /** Epochs completed. */
    public int epoch;
    /** Batches of epoch {@code epoch} already trained on (0 at an epoch boundary). */
    public int batch;
    /** Optimizer steps taken: the schedule's position. */
    public long step;
    /** The run's seed; the engine is re-seeded from (seed, batch number) before every batch. */
    public long seed;
    /** Best {@link Monitor#score} of the monitored validation metric so far, and the epoch (1-based) it came from; 0 = none yet. */
    public double bestMetric = Double.NEGATIVE_INFINITY;
    public int bestEpoch;
    /**
     * What the divergence guard keeps, so a resumed run repeats its back-offs: the factor on the
     * configured learning rate (1, then /10 per back-off) and the best epoch losses so far
     * (infinite = none yet).
     */
    public double lrScale = 1;
    public double bestTrainLoss = Double.POSITIVE_INFINITY;
    public double bestValidLoss = Double.POSITIVE_INFINITY;
    /** Running sums of the current epoch (for a mid-epoch checkpoint). */
    public double lossSum;
    public long correct;
    public long labelCount;
    public long sampleCount;
    public double seconds;
    public double waitSeconds;
    public double computeSeconds;

    /** A fresh run with {@code seed}. */
    public static TrainState start(long seed) {
        TrainState s = new TrainState();
        s.seed = seed;
        return s;
    }

    /** Clears the running sums at the start of an epoch. */
    void newEpoch() {
        batch = 0;
        lossSum = 0;
        correct = 0;
        labelCount = 0;
        sampleCount = 0;
        seconds = 0;
        waitSeconds = 0;
        computeSeconds = 0;
    }

    /** The map a checkpoint stores (numbers as JSON keeps them: doubles round-trip exactly). */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("epoch", epoch);
        m.put("batch", batch);
        m.put("step", step);
        m.put("seed", seed);
        m.put("bestMetric", Double.isInfinite(bestMetric) ? null : bestMetric);
        m.put("bestEpoch", bestEpoch);
        m.put("lrScale", lrScale);
        m.put("bestTrainLoss", Double.isInfinite(bestTrainLoss) ? null : bestTrainLoss);
        m.put("bestValidLoss", Double.isInfinite(bestValidLoss) ? null : bestValidLoss);
        m.put("lossSum", lossSum);
        m.put("correct", correct);
        m.put("labelCount", labelCount);
        m.put("sampleCount", sampleCount);
        m.put("seconds", seconds);
        m.put("waitSeconds", waitSeconds);
        m.put("computeSeconds", computeSeconds);
        return m;
    }

    /** The inverse of {@link #toMap()}. */
    public static TrainState fromMap(Map<String, ?> m) {
        TrainState s = new TrainState();
        s.epoch = num(m, "epoch").intValue();
        s.batch = num(m, "batch").intValue();
        s.step = num(m, "step").longValue();
        s.seed = num(m, "seed").longValue();
        Object best = m.get("bestMetric");
        s.bestMetric = best == null ? Double.NEGATIVE_INFINITY : ((Number) best).doubleValue();
        s.bestEpoch = num(m, "bestEpoch").intValue();
        // absent in checkpoints written before the divergence guard kept them
        s.lrScale = m.get("lrScale") instanceof Number n ? n.doubleValue() : 1;
        s.bestTrainLoss = m.get("bestTrainLoss") instanceof Number n ? n.doubleValue() : Double.POSITIVE_INFINITY;
        s.bestValidLoss = m.get("bestValidLoss") instanceof Number n ? n.doubleValue() : Double.POSITIVE_INFINITY;
        s.lossSum = num(m, "lossSum").doubleValue();
        s.correct = num(m, "correct").longValue();
        s.labelCount = num(m, "labelCount").longValue();
        s.sampleCount = num(m, "sampleCount").longValue();
        s.seconds = num(m, "seconds").doubleValue();
        s.waitSeconds = num(m, "waitSeconds").doubleValue();
        s.computeSeconds = num(m, "computeSeconds").doubleValue();
        return s;
    }

    private static Number num(Map<String, ?> m, String key) {
        Object v = m.get(key);
        if (!(v instanceof Number n)) {
            throw new IllegalArgumentException("training state has no number '" + key + "'");
        }
        return n;
    }
}
