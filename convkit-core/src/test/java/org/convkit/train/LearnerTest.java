package org.convkit.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.convkit.core.Runtime;
import org.convkit.model.ConvNet;
import org.convkit.model.weights.Checkpoint;
import org.convkit.model.weights.ModelInfo;
import org.convkit.model.weights.TrainingState;
import org.convkit.train.callback.Checkpoints;
import org.convkit.train.callback.DivergenceGuard;
import org.convkit.train.loss.Loss;
import org.convkit.train.optim.Optimizer;
import org.convkit.train.optim.Optimizers;
import org.convkit.train.schedule.OneCycle;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LearnerTest {
    private static final int SIZE = 8;
    private static final int EPOCHS = 3;

    /** Builds a fresh net (seeded init), SGD + one-cycle, on the quadrant toy problem. */
    private static final class Setup implements AutoCloseable {
        final NDManager manager = NDManager.newBaseManager();
        final ConvNet net;
        final Optimizer opt;
        final Learner learner;
        final Tiny.ArrayBatches train = Tiny.quadrants(192, SIZE, 32, true, 1);
        final Tiny.ArrayBatches valid = Tiny.quadrants(64, SIZE, 32, false, 2);

        Setup(long seed, List<Callback> callbacks) {
            this(seed, callbacks, Monitor.VALID_ACC);
        }

        Setup(long seed, List<Callback> callbacks, Monitor monitor) {
            this(seed, callbacks, monitor, 1);
        }

        Setup(long seed, List<Callback> callbacks, Monitor monitor, int gradAccum) {
            this(seed, callbacks, monitor, gradAccum, Mixing.NONE);
        }

        Setup(long seed, List<Callback> callbacks, Mixing mixing) {
            this(seed, callbacks, Monitor.VALID_ACC, 1, mixing);
        }

        Setup(long seed, List<Callback> callbacks, Monitor monitor, int gradAccum, Mixing mixing) {
            Engine engine = Runtime.init();
            engine.setRandomSeed((int) seed);
            net = Tiny.net(1, SIZE, 4).initialize(manager);
            opt = Optimizers.create("sgd", ParamGroups.all(net, 5e-4), manager, new Optimizers.Settings(0.9, true, 5e-4));
            learner = Learner.builder(net, opt).device(Device.cpu()).loss(Loss.of("ce", 0.1))
                    .schedule(OneCycle.of((long) EPOCHS * train.batchCount()), 0.2)
                    .options(new Learner.Options(gradAccum, 0, seed)).monitor(monitor).mixing(mixing)
                    .callbacks(callbacks).build();
        }

        float[] weights() {
            List<Float> all = new ArrayList<>();
            for (Parameter p : net.parametersByPath().values()) {
                for (float f : p.getArray().toFloatArray()) {
                    all.add(f);
                }
            }
            float[] out = new float[all.size()];
            for (int i = 0; i < out.length; i++) {
                out[i] = all.get(i);
            }
            return out;
        }

        @Override
        public void close() {
            opt.close();
            manager.close();
        }
    }

    @Test
    void learnsAndValidatesInEvalMode() {
        try (Setup s = new Setup(7, List.of())) {
            FitResult r = s.learner.fit(EPOCHS, s.train, s.valid);
            assertEquals(EPOCHS, r.history().size());
            EpochResult last = r.last();
            assertTrue(last.validAcc() > 0.9, "the toy problem is learned: " + last);
            assertTrue(r.history().get(0).trainLoss() > last.trainLoss(), "training loss falls");
            assertEquals((long) EPOCHS * s.train.batchCount(), last.step());
            assertEquals(EPOCHS, s.valid.opened, "validation read once per epoch");
            assertEquals(r.bestEpoch() > 0, true);
        }
    }

    /**
     * A garbage collection between the loss and backward changes nothing. Every constant the
     * recorded graph keeps (label smoothing's factors, gradient accumulation's divisor) must be
     * libtorch's memory: made from a JVM direct buffer, as DJL's {@code array.mul(0.1f)} makes
     * it, the collector frees it before backward reads it, and what reuses the memory becomes
     * the gradient (1e13 where 1 was due, found in the seeded runs of ResumeReproTest).
     */
    @Test
    void aGarbageCollectionBeforeBackwardChangesNothing() {
        float[] undisturbed;
        try (Setup s = new Setup(3, List.of(), Monitor.VALID_ACC, 2)) {
            s.learner.fit(1, s.train, null);
            undisturbed = s.weights();
        }
        try (CollectGarbageBeforeBackward gc = new CollectGarbageBeforeBackward();
                Setup s = new Setup(3, List.of(gc), Monitor.VALID_ACC, 2)) {
            s.learner.fit(1, s.train, null);
            assertTrue(gc.collections > 0, "the callback ran");
            assertArrayEquals(undisturbed, s.weights(), "the same weights with a collection before each backward");
        }
    }

    /**
     * After each loss, before its backward: a full collection, time for the cleaner thread to free
     * unreachable direct buffers, then small direct buffers of 1e30f that take over freed memory
     * and stay until the next batch.
     */
    private static final class CollectGarbageBeforeBackward implements Callback, AutoCloseable {
        private final List<java.nio.ByteBuffer> squatters = new ArrayList<>();
        int collections;

        @Override
        public void onLoss(Learner learner, BatchEnd where, double loss) {
            squatters.clear();
            System.gc();
            try {
                Thread.sleep(30);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            for (int i = 0; i < 64; i++) {
                java.nio.ByteBuffer b = java.nio.ByteBuffer.allocateDirect(4 << (i % 4))
                        .order(java.nio.ByteOrder.nativeOrder());
                while (b.remaining() >= 4) {
                    b.putFloat(1e30f);
                }
                squatters.add(b);
            }
            collections++;
        }

        @Override
        public void close() {
            squatters.clear();
        }
    }

    @Test
    void trainingRunsNchwWhateverTheProcessChose() {
        try (NDManager manager = NDManager.newBaseManager()) {
            Runtime.init();
            ConvNet net = Tiny.net(1, SIZE, 4).initialize(manager);
            net.setEngine(org.convkit.core.EngineSettings.PLAIN.withLayout(org.convkit.core.EngineSettings.Layout.CHANNELS_LAST)
                    .withFoldBatchNorm(true));
            try (Optimizer opt = Optimizers.create("sgd", ParamGroups.all(net, 0), manager,
                    new Optimizers.Settings(0.9, true, 0.0))) {
                Learner.builder(net, opt).device(Device.cpu()).loss(Loss.of("ce", 0))
                        .schedule(OneCycle.of(10), 0.1).options(new Learner.Options(1, 0, 1)).build();
                assertEquals(org.convkit.core.EngineSettings.Layout.NCHW, net.engine().layout(),
                        "channels-last is an evaluation-only lever");
                assertTrue(net.engine().foldBatchNorm(), "the other settings stay");
            }
        }
    }

    @Test
    void theBestEpochIsTheMonitoredMetricsBest() {
        for (Monitor m : Monitor.values()) {
            try (Setup s = new Setup(5, List.of(), m)) {
                FitResult r = s.learner.fit(EPOCHS, s.train, s.valid);
                int best = 0;
                double score = Double.NEGATIVE_INFINITY;
                for (EpochResult e : r.history()) {
                    double v = m == Monitor.VALID_ACC ? e.validAcc() : -e.validLoss();
                    if (v > score) {
                        score = v;
                        best = e.epoch();
                    }
                }
                assertEquals(best, r.bestEpoch(), m + ": " + r.history());
                assertEquals(score, r.bestMetric(), 1e-6, m.toString());
            }
        }
        assertEquals(Monitor.VALID_LOSS, Monitor.parse("valid_loss"));
        assertEquals(Monitor.VALID_ACC, Monitor.parse(null));
        assertTrue(assertThrows(org.convkit.core.ConvkitException.class, () -> Monitor.parse("acc")).getMessage()
                .contains("valid_acc or valid_loss"));
    }

    @Test
    void sameSeedSameMetrics() {
        List<EpochResult> a;
        List<EpochResult> b;
        try (Setup s = new Setup(3, List.of())) {
            a = s.learner.fit(2, s.train, s.valid).history();
        }
        try (Setup s = new Setup(3, List.of())) {
            b = s.learner.fit(2, s.train, s.valid).history();
        }
        for (int i = 0; i < a.size(); i++) {
            assertEquals(a.get(i).trainLoss(), b.get(i).trainLoss(), 0, "train loss, epoch " + (i + 1));
            assertEquals(a.get(i).validLoss(), b.get(i).validLoss(), 0, "valid loss, epoch " + (i + 1));
            assertEquals(a.get(i).validAcc(), b.get(i).validAcc(), 0, "valid accuracy, epoch " + (i + 1));
        }
    }

    @Test
    void resumedMidEpochFromACheckpointEndsLikeAnUninterruptedRun(@TempDir Path tmp) {
        resumesExactly(tmp, Mixing.NONE);
    }

    /** MixUp and CutMix draw from the batch's number: a resumed run mixes as the uninterrupted one did. */
    @Test
    void aMixedRunLearnsAndResumesExactly(@TempDir Path tmp) {
        Mixing both = new Mixing(0.4, 1.0);
        List<EpochResult> plain;
        List<EpochResult> mixed;
        try (Setup s = new Setup(11, List.of())) {
            plain = s.learner.fit(EPOCHS, s.train, s.valid).history();
        }
        try (Setup s = new Setup(11, List.of(), both)) {
            mixed = s.learner.fit(EPOCHS, s.train, s.valid).history();
        }
        assertTrue(mixed.get(0).trainLoss() != plain.get(0).trainLoss(), "the batches were mixed");
        assertTrue(mixed.get(EPOCHS - 1).validAcc() > 0.8, "and the toy problem is still learned: " + mixed);
        resumesExactly(tmp, both);
    }

    private static void resumesExactly(Path tmp, Mixing mixing) {
        float[] straight;
        List<EpochResult> straightHistory;
        try (Setup s = new Setup(11, List.of(), mixing)) {
            straightHistory = s.learner.fit(EPOCHS, s.train, s.valid).history();
            straight = s.weights();
        }
        // first run: stops itself in epoch 2 after a mid-epoch checkpoint at batch 4
        RunWriter run = RunWriter.create(tmp.resolve("run"));
        try (Setup s = new Setup(11, List.of(), mixing)) {
            s.learner.addCallback(new Checkpoints(run, ModelInfo.empty(), 0, 4));
            s.learner.addCallback(new Callback() {
                @Override
                public void onBatchEnd(Learner l, BatchEnd b) {
                    if (b.epoch() == 1 && b.batch() == 5) {
                        throw new IllegalStateException("simulated kill");
                    }
                }
            });
            assertThrows(IllegalStateException.class, () -> s.learner.fit(EPOCHS, s.train, s.valid));
        }
        // second run: a fresh process would do exactly this
        try (Setup s = new Setup(999, List.of(), mixing);
                NDManager load = NDManager.newBaseManager()) {
            Checkpoint.loadInto(run.lastCheckpoint(), s.net);
            TrainingState t = Checkpoint.readTraining(run.lastCheckpoint(), load).orElseThrow();
            s.learner.restore(t.state(), t.tensors());
            assertEquals(1, s.learner.state().epoch);
            assertEquals(4, s.learner.state().batch);
            List<EpochResult> resumed = s.learner.fit(EPOCHS, s.train, s.valid).history();
            assertArrayEquals(straight, s.weights(), "same weights at the end");
            EpochResult a = straightHistory.get(EPOCHS - 1);
            EpochResult b = resumed.get(resumed.size() - 1);
            assertEquals(a.trainLoss(), b.trainLoss(), 0);
            assertEquals(a.validLoss(), b.validLoss(), 0);
            assertEquals(straightHistory.get(1).trainLoss(), resumed.get(0).trainLoss(), 0,
                    "the interrupted epoch's mean loss includes the batches before the checkpoint");
        }
    }

    @Test
    void nanLossStopsBeforeTheWeightsChange(@TempDir Path tmp) {
        try (Setup s = new Setup(5, List.of())) {
            RunWriter run = RunWriter.create(tmp.resolve("run"));
            Checkpoints cp = new Checkpoints(run, ModelInfo.empty(), 0, 0);
            s.learner.addCallback(cp);
            s.learner.addCallback(new DivergenceGuard(cp, false, 4, System.out));
            s.learner.addCallback(new Callback() {
                @Override
                public void onBatchEnd(Learner l, BatchEnd b) {
                    if (b.epoch() == 1 && b.batch() == 2) {
                        // poison one weight: the next forward pass gives a NaN loss
                        Parameter w = l.net().parametersByPath().get("head.0.weight");
                        w.getArray().muli(Float.NaN);
                    }
                }
            });
            TrainingStopped e = assertThrows(TrainingStopped.class, () -> s.learner.fit(EPOCHS, s.train, s.valid));
            assertTrue(e.getMessage().contains("epoch 2, batch 3/6"), e.getMessage());
            assertTrue(e.getMessage().contains("--lr"), e.getMessage());
            assertTrue(e.getMessage().contains(run.lastCheckpoint() + " (end of epoch 1)"), e.getMessage());
            Map<String, Object> state = Checkpoint.readTraining(run.lastCheckpoint(), s.manager).orElseThrow().state();
            assertEquals(1, ((Number) ((Map<?, ?>) state.get("train")).get("epoch")).intValue(), "last good kept");
        }
    }

    @Test
    void aNanLossBacksOffToTheLastGoodEpochWithATenthOfTheLearningRateAndTrainingGoesOn(@TempDir Path tmp) {
        try (Setup s = new Setup(5, List.of())) {
            RunWriter run = RunWriter.create(tmp.resolve("run"));
            Checkpoints cp = new Checkpoints(run, ModelInfo.empty(), 0, 0);
            java.io.ByteArrayOutputStream text = new java.io.ByteArrayOutputStream();
            s.learner.addCallback(new DivergenceGuard(cp, true, 4, new java.io.PrintStream(text, true)));
            s.learner.addCallback(cp);
            List<float[]> endOf = new java.util.ArrayList<>();
            s.learner.addCallback(new Callback() {
                @Override
                public void onEpochEnd(Learner l, EpochResult r) {
                    endOf.add(s.weights());
                }

                @Override
                public void onBatchEnd(Learner l, BatchEnd b) {
                    if (b.epoch() == 1 && b.batch() == 2) {
                        Parameter w = l.net().parametersByPath().get("head.0.weight");
                        w.getArray().muli(Float.NaN);
                    }
                }
            });
            List<EpochResult> h = s.learner.fit(EPOCHS, s.train, s.valid).history();
            String said = text.toString();
            assertTrue(said.contains("the loss became NaN at epoch 2, batch 3/6"), said);
            assertTrue(said.contains("Backing off: back to the weights of epoch 1, learning rate divided by 10"), said);
            assertEquals(EPOCHS, h.size(), "training went on after the back-off");
            assertTrue(Double.isFinite(h.get(1).validLoss()), "epoch 2 validated the restored weights: " + h.get(1));
            assertEquals(0.1, s.learner.state().lrScale, 0);
            Map<String, Object> state = Checkpoint.readTraining(run.lastCheckpoint(), s.manager).orElseThrow().state();
            assertEquals(0.1, ((Number) ((Map<?, ?>) state.get("train")).get("lrScale")).doubleValue(), 0,
                    "the back-off is in the checkpoint: a resumed run keeps it");
            assertTrue(Double.isFinite(h.get(2).trainLoss()) && h.get(2).trainLoss() < 10 * Math.log(4), h.get(2).toString());
            assertArrayEquals(endOf.get(0), endOf.get(1), "epoch 2 ended with epoch 1's weights (restored, not NaN)");
        }
    }
}
