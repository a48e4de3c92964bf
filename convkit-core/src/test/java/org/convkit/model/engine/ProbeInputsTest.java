package org.convkit.model.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import org.convkit.core.Runtime;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ProbeInputsTest {
    private static final Shape SHAPE = new Shape(8, 16, 5, 5);

    @BeforeAll
    static void engine() {
        Runtime.init();
    }

    private static double[] values(NDArray a) {
        return a.toType(DataType.FLOAT64, false).toDoubleArray();
    }

    /** The float64 reference and the float32 path are given the very same numbers, float32 ones. */
    @Test
    void sameProbeAndKeyGiveTheSameFloat32ValuesInEveryDtype() {
        try (NDManager m = NDManager.newBaseManager()) {
            double[] f64 = values(new ProbeInputs(m, DataType.FLOAT64, "p").normal("x", SHAPE, 0, 1));
            double[] f32 = values(new ProbeInputs(m, DataType.FLOAT32, "p").normal("x", SHAPE, 0, 1));
            assertArrayEquals(f64, f32);
            assertTrue(Arrays.stream(f64).allMatch(v -> (float) v == v), "every value is a float32 number");
        }
    }

    /** Values are shared only by calls that ask for the same distribution, parameters, probe and key. */
    @Test
    void anotherDistributionParameterProbeOrKeyDrawsOtherValues() {
        try (NDManager m = NDManager.newBaseManager()) {
            ProbeInputs p = new ProbeInputs(m, DataType.FLOAT32, "p");
            double[] base = values(p.normal("x", SHAPE, 0, 1));
            double[] wider = values(p.normal("x", SHAPE, 0, 2));
            assertFalse(Arrays.equals(base, wider));
            assertFalse(Arrays.equals(base, values(p.normal("y", SHAPE, 0, 1))));
            assertFalse(Arrays.equals(base, values(new ProbeInputs(m, DataType.FLOAT32, "q").normal("x", SHAPE, 0, 1))));
            assertFalse(Arrays.equals(base, values(p.uniform("x", SHAPE, 0, 1))));
            // same generator, other spread: the numbers scale with std
            for (int i = 0; i < base.length; i++) {
                assertEquals(2 * base[i], wider[i], 1e-6 * Math.max(1, Math.abs(wider[i])));
            }
        }
    }

    @Test
    void normalAndUniformHaveTheirMomentsAndRange() {
        try (NDManager m = NDManager.newBaseManager()) {
            ProbeInputs p = new ProbeInputs(m, DataType.FLOAT32, "moments");
            double[] n = values(p.normal("x", SHAPE, 3, 0.5));
            double mean = Arrays.stream(n).average().orElseThrow();
            double var = Arrays.stream(n).map(v -> (v - mean) * (v - mean)).average().orElseThrow();
            // 2000 draws: the mean's standard error is 0.011, the std's about 0.008
            assertEquals(3, mean, 0.06);
            assertEquals(0.5, Math.sqrt(var), 0.05);
            double[] u = values(p.uniform("x", SHAPE, 0.5, 1.5));
            assertTrue(Arrays.stream(u).allMatch(v -> v >= 0.5 && v <= 1.5), "within [0.5, 1.5]");
            assertEquals(1.0, Arrays.stream(u).average().orElseThrow(), 0.05);
        }
    }
}
