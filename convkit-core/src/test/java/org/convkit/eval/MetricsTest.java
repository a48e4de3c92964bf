package org.convkit.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import java.util.Random;
import org.convkit.core.Runtime;
import org.junit.jupiter.api.Test;

/** Cases small enough to check by hand from the definitions. */
class MetricsTest {
    private static final List<String> ABC = List.of("a", "b", "c");

    /** Scores that make {@code predicted} the argmax with softmax probability {@code p}. */
    private static float[] oneHotScores(int[] predicted, int classes, double p) {
        float[] x = new float[predicted.length * classes];
        // softmax of (s, 0, 0, ...) gives e^s / (e^s + C - 1) = p  =>  s = log(p (C-1) / (1-p))
        float s = (float) Math.log(p * (classes - 1) / (1 - p));
        for (int i = 0; i < predicted.length; i++) {
            x[i * classes + predicted[i]] = s;
        }
        return x;
    }

    @Test
    void confusionAndPerClassFromTheDefinitions() {
        // truth 0 0 0 1 1 2, predicted 0 0 1 1 2 2
        int[] truth = {0, 0, 0, 1, 1, 2};
        int[] pred = {0, 0, 1, 1, 2, 2};
        Metrics m = new Metrics(ABC);
        m.add(new float[][] {oneHotScores(pred, 3, 0.9)}, truth, null, null);
        EvalResult r = m.result();
        assertArrayEquals(new long[] {2, 1, 0}, r.confusion()[0]);
        assertArrayEquals(new long[] {0, 1, 1}, r.confusion()[1]);
        assertArrayEquals(new long[] {0, 0, 1}, r.confusion()[2]);
        assertEquals(4.0 / 6, r.accuracy(), 1e-12);
        // class a: TP 2, FP 0, FN 1 -> P 1, R 2/3, F1 2PR/(P+R) = 0.8
        ClassScore a = r.perClass().get(0);
        assertEquals(1.0, a.precision(), 1e-12);
        assertEquals(2.0 / 3, a.recall(), 1e-12);
        assertEquals(0.8, a.f1(), 1e-12);
        assertEquals(3, a.support());
        // class b: TP 1, FP 1, FN 1 -> 1/2, 1/2, 1/2; class c: TP 1, FP 1, FN 0 -> 1/2, 1, 2/3
        assertEquals(0.5, r.perClass().get(1).f1(), 1e-12);
        assertEquals(0.5, r.perClass().get(2).precision(), 1e-12);
        assertEquals(1.0, r.perClass().get(2).recall(), 1e-12);
        assertEquals(2.0 / 3, r.perClass().get(2).f1(), 1e-12);
        assertEquals((0.8 + 0.5 + 2.0 / 3) / 3, r.macro().f1(), 1e-12);
        assertEquals((3 * 0.8 + 2 * 0.5 + 1 * 2.0 / 3) / 6, r.weighted().f1(), 1e-12);
        assertEquals((1 + 0.5 + 0.5) / 3, r.macro().precision(), 1e-12);
        // weighted recall = accuracy, always
        assertEquals(r.accuracy(), r.weighted().recall(), 1e-12);
    }

    @Test
    void lossOfUniformScoresIsLogClasses() {
        Metrics m = new Metrics(ABC);
        m.add(new float[][] {new float[3 * 4]}, new int[] {0, 1, 2, 0}, null, null);
        assertEquals(Math.log(3), m.result().loss(), 1e-12);
    }

    @Test
    void classNeverSeenNorPredictedDoesNotDragTheMacroAverage() {
        Metrics m = new Metrics(ABC);
        m.add(new float[][] {oneHotScores(new int[] {0, 1}, 3, 0.8)}, new int[] {0, 1}, null, null);
        EvalResult r = m.result();
        assertEquals(1.0, r.macro().f1(), 1e-12);
        assertEquals(0, r.perClass().get(2).f1());
    }

    @Test
    void topFiveOnlyFromTenClasses() {
        assertNull(new Metrics(ABC).result().top5());
        List<String> ten = List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");
        Metrics m = new Metrics(ten);
        // true class ranked 5th (4 higher) and 6th (5 higher): one hit of two
        float[] x = {9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0};
        m.add(new float[][] {x}, new int[] {4, 5}, null, null);
        assertEquals(0.5, m.result().top5(), 0);
        assertEquals(0, m.result().accuracy(), 0);
    }

    @Test
    void keepsTheMostConfidentMistakesInOrder() {
        Metrics m = new Metrics(ABC, 1, -1, 2);
        // sample 0 right; 1, 2, 3 wrong with confidence 0.6, 0.95, 0.8
        m.add(new float[][] {oneHotScores(new int[] {0, 0}, 3, 0.6)}, new int[] {0, 1}, new String[] {"s0", "s1"}, new int[] {0, 1});
        m.add(new float[][] {concat(oneHotScores(new int[] {2}, 3, 0.95), oneHotScores(new int[] {1}, 3, 0.8))},
                new int[] {0, 2}, new String[] {"s2", "s3"}, new int[] {2, 3});
        List<Mistake> k = m.result().mistakes();
        assertEquals(2, k.size());
        assertEquals("s2", k.get(0).id());
        assertEquals("a", k.get(0).truth());
        assertEquals("c", k.get(0).predicted());
        assertEquals(0.95, k.get(0).probability(), 1e-6);
        assertEquals("s3", k.get(1).id());
        assertEquals(3, k.get(1).index());
    }

    @Test
    void sequencesWithBlanks() {
        // classes: digits 0..2 and blank (3); two heads
        List<String> cls = List.of("0", "1", "2", "blank");
        Metrics m = new Metrics(cls, 2, 3, 10);
        // truth: "1" (1, blank), "20" (2, 0), "2" (2, blank)
        int[] truth = {1, 3, 2, 0, 2, 3};
        // predicted head 0: 1, 2, blank; head 1: blank, 1, 2  ->  "1" right, "21" wrong,
        // (blank, 2) = "2": the same digits once blanks are removed, right
        float[] h0 = oneHotScores(new int[] {1, 2, 3}, 4, 0.9);
        float[] h1 = oneHotScores(new int[] {3, 1, 2}, 4, 0.5);
        m.add(new float[][] {h0, h1}, truth, new String[] {"x", "y", "z"}, new int[] {0, 1, 2});
        EvalResult r = m.result();
        assertEquals(2.0 / 3, r.sequenceAccuracy(), 1e-12);
        assertEquals(r.sequenceAccuracy(), r.accuracy(), 0);
        assertArrayEquals(new double[] {2.0 / 3, 1.0 / 3}, r.positionAccuracy(), 1e-12);
        assertEquals(1, r.mistakes().size());
        Mistake y = r.mistakes().get(0);
        assertEquals("20", y.truth());
        assertEquals("21", y.predicted());
        assertEquals(0.9 * 0.5, y.probability(), 1e-6);
        // confusion over all 6 positions; blank row: truth blank at (0,1) predicted blank, (2,1) predicted 2
        assertArrayEquals(new long[] {0, 0, 1, 1}, r.confusion()[3]);
        long total = 0;
        for (long[] row : r.confusion()) {
            for (long v : row) {
                total += v;
            }
        }
        assertEquals(6, total);
        // loss = mean over samples of the mean of per-head CE
        double ce0 = -Math.log(0.9);
        double ce1 = -Math.log(0.5);
        double ceWrong1 = -Math.log((1 - 0.5) / 3); // head 1 of sample y: truth 0 got (1-p)/(C-1)
        double ceWrong0 = -Math.log((1 - 0.9) / 3); // head 0 of sample z: truth 2 predicted blank
        double expected = ((ce0 + ce1) / 2 + (ce0 + ceWrong1) / 2 + (ceWrong0 + ceWrong1) / 2) / 3;
        assertEquals(expected, r.loss(), 1e-6);
    }

    @Test
    void ndArraysGiveTheSameResultAndAreNotKept() {
        Runtime.init();
        Random rnd = new Random(3);
        float[] x = new float[8 * 3];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rnd.nextGaussian();
        }
        int[] y = {0, 1, 2, 0, 1, 2, 0, 1};
        Metrics host = new Metrics(ABC);
        host.add(new float[][] {x}, y, null, null);
        Metrics nd = new Metrics(ABC);
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray a = m.create(x, new Shape(8, 3));
            nd.add(List.of(a.toType(DataType.FLOAT64, false)), y, null, null);
        }
        // the arrays are closed; the result is still there
        assertEquals(host.result().loss(), nd.result().loss(), 1e-6);
        assertArrayEquals(host.result().confusion()[1], nd.result().confusion()[1]);
    }

    @Test
    void wrongShapesAreRefused() {
        Metrics m = new Metrics(ABC);
        assertThrows(IllegalArgumentException.class, () -> m.add(new float[][] {new float[6]}, new int[] {0}, null, null));
        assertThrows(IllegalArgumentException.class, () -> m.add(new float[][] {new float[3]}, new int[] {3}, null, null));
    }

    private static float[] concat(float[] a, float[] b) {
        float[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Test
    void partsMergedEqualTheWholeAndSurviveSerialization() throws Exception {
        Random rnd = new Random(7);
        int n = 200;
        List<String> classes = List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11");
        float[] x = new float[n * classes.size()];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rnd.nextGaussian() * 3;
        }
        int[] truth = new int[n];
        String[] ids = new String[n];
        int[] indices = new int[n];
        for (int i = 0; i < n; i++) {
            truth[i] = rnd.nextInt(classes.size());
            ids[i] = "s" + i;
            indices[i] = i;
        }
        Metrics whole = new Metrics(classes, 1, -1, 5);
        whole.add(new float[][] {x}, truth, ids, indices);
        // three parts of unequal size, merged out of order after a trip through serialization
        int[][] cuts = {{0, 37}, {37, 150}, {150, n}};
        Metrics merged = new Metrics(classes, 1, -1, 5);
        for (int k : new int[] {2, 0, 1}) {
            int a = cuts[k][0];
            int b = cuts[k][1];
            Metrics part = new Metrics(classes, 1, -1, 5);
            part.add(new float[][] {java.util.Arrays.copyOfRange(x, a * classes.size(), b * classes.size())},
                    java.util.Arrays.copyOfRange(truth, a, b), java.util.Arrays.copyOfRange(ids, a, b),
                    java.util.Arrays.copyOfRange(indices, a, b));
            java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
            try (java.io.ObjectOutputStream out = new java.io.ObjectOutputStream(bytes)) {
                out.writeObject(part);
            }
            try (java.io.ObjectInputStream in = new java.io.ObjectInputStream(new java.io.ByteArrayInputStream(bytes.toByteArray()))) {
                merged.merge((Metrics) in.readObject());
            }
        }
        EvalResult w = whole.result();
        EvalResult m = merged.result();
        assertEquals(w.samples(), m.samples());
        assertEquals(w.accuracy(), m.accuracy(), 0);
        assertEquals(w.top5(), m.top5(), 0);
        assertEquals(w.loss(), m.loss(), 1e-12);
        for (int t = 0; t < classes.size(); t++) {
            assertArrayEquals(w.confusion()[t], m.confusion()[t]);
        }
        assertEquals(w.mistakes().stream().map(Mistake::index).toList(), m.mistakes().stream().map(Mistake::index).toList());
        assertEquals(5, m.mistakes().size());
        assertThrows(IllegalArgumentException.class, () -> merged.merge(new Metrics(ABC)));
    }
}
