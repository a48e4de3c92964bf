package org.convkit.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.convkit.core.Autograd;
import org.convkit.core.Runtime;
import org.convkit.data.Batch;
import org.convkit.model.ConvNet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class EvaluatorTest {
    private static final List<String> CLASSES = List.of("a", "b", "c");

    @BeforeAll
    static void engine() {
        Runtime.init();
    }

    /** n samples of 2x6x6 noise with labels i % 3, cut into batches of {@code per}. */
    static List<Batch> batches(int n, int per, long seed) {
        Random rnd = new Random(seed);
        List<Batch> out = new ArrayList<>();
        for (int from = 0; from < n; from += per) {
            int size = Math.min(per, n - from);
            float[] data = new float[size * 2 * 6 * 6];
            for (int i = 0; i < data.length; i++) {
                data[i] = (float) rnd.nextGaussian();
            }
            int[] labels = new int[size];
            String[] ids = new String[size];
            int[] idx = new int[size];
            for (int i = 0; i < size; i++) {
                labels[i] = (from + i) % 3;
                ids[i] = "s" + (from + i);
                idx[i] = from + i;
            }
            out.add(new Batch(data, size, 2, 6, 6, labels, 1, ids, idx));
        }
        return out;
    }

    @Test
    void evaluatesInEvalModeOncePerSampleWithoutGradients() {
        ConvNet net = TinyNets.convBnDropout(2, 6, 3, 1);
        try (NDManager m = NDManager.newBaseManager()) {
            net.initialize(m);
            // give BatchNorm running statistics that differ from any batch's own
            NDArray mean = net.parametersByPath().get("backbone.bn.running_mean").getArray();
            mean.set(new float[] {0.5f, -0.5f, 1f, 2f});
            float[] meanBefore = mean.toFloatArray();
            List<Batch> data = batches(23, 5, 1);

            boolean[] gradOff = {true};
            long seen = new Evaluator(net, Device.cpu()).run(data, (b, out) -> gradOff[0] &= !JniUtils.isGradMode());
            assertEquals(23, seen);
            assertTrue(gradOff[0], "no autograd recording while evaluating");

            EvalResult first = new Evaluator(net, Device.cpu()).evaluate(data, new Metrics(CLASSES));
            EvalResult second = new Evaluator(net, Device.cpu()).evaluate(data, new Metrics(CLASSES));
            assertEquals(23, first.samples());
            // dropout off: the same numbers twice; BatchNorm used, not updated, its statistics
            assertEquals(first.loss(), second.loss(), 0);
            assertArrayEquals(meanBefore, mean.toFloatArray());

            // the same as a hand-written eval-mode forward pass over all samples at once
            Metrics byHand = new Metrics(CLASSES);
            for (Batch b : data) {
                try (NDManager s = m.newSubManager()) {
                    NDArray x = s.create(b.data(), new Shape(b.size(), 2, 6, 6));
                    NDList out = net.forward(new ParameterStore(s, false), new NDList(x), false);
                    byHand.add(out, b);
                }
            }
            assertEquals(byHand.result().loss(), first.loss(), 1e-6);
            // and not what training mode (batch statistics, dropout) would give
            try (NDManager s = m.newSubManager()) {
                Batch b = data.get(0);
                NDArray x = s.create(b.data(), new Shape(b.size(), 2, 6, 6));
                Metrics train = new Metrics(CLASSES);
                train.add(net.forward(new ParameterStore(s, false), new NDList(x), true), b);
                Metrics eval = new Metrics(CLASSES);
                new Evaluator(net, Device.cpu()).evaluate(List.of(b), eval);
                assertFalse(Math.abs(train.result().loss() - eval.result().loss()) < 1e-9);
            }
        }
    }

    @Test
    void gradModeIsRestored() {
        boolean before = JniUtils.isGradMode();
        JniUtils.setGradMode(true);
        try (Autograd.NoGrad g = Autograd.noGrad()) {
            assertFalse(JniUtils.isGradMode());
        }
        assertTrue(JniUtils.isGradMode());
        JniUtils.setGradMode(before);
    }

    @Test
    void aSampleSeenTwiceStopsTheEvaluation() {
        ConvNet net = TinyNets.convBnDropout(2, 6, 3, 1);
        try (NDManager m = NDManager.newBaseManager()) {
            net.initialize(m);
            List<Batch> data = new ArrayList<>(batches(10, 4, 2));
            data.add(data.get(0));
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> new Evaluator(net, Device.cpu()).evaluate(data, new Metrics(CLASSES)));
            assertTrue(e.getMessage().contains("s0"), e.getMessage());
        }
    }

    @Test
    void multiHeadNetworks() {
        ConvNet net = TinyNets.convBnDropout(2, 6, 4, 3);
        try (NDManager m = NDManager.newBaseManager()) {
            net.initialize(m);
            Batch b = batches(6, 6, 3).get(0);
            int[] labels = new int[6 * 3];
            for (int i = 0; i < labels.length; i++) {
                labels[i] = i % 4;
            }
            Batch seq = new Batch(b.data(), 6, 2, 6, 6, labels, 3, b.ids(), b.indices());
            EvalResult r = new Evaluator(net, Device.cpu()).evaluate(List.of(seq), new Metrics(List.of("0", "1", "2", "_"), 3, 3, 4));
            assertEquals(3, r.positionAccuracy().length);
            assertEquals(6, r.samples());
        }
    }
}
