package org.convkit.model.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
import org.convkit.core.EngineSettings;
import org.convkit.core.Runtime;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Which side of a failed comparison is wrong: the path, or the float64 reference it was compared with. */
class CheckChildTest {
    static final double[] RIGHT = {1, 2, 3, 4};

    /** A probe whose n-th float64 computation ({@code reference.apply(n)}, from 1) may be wrong. */
    static final class Scripted implements Probe {
        final String name;
        final IntFunction<double[]> reference;
        final double[] path;
        int referenceCalls;

        Scripted(String name, IntFunction<double[]> reference, double[] path) {
            this.name = name;
            this.reference = reference;
            this.path = path;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public String usedBy() {
            return "a test";
        }

        @Override
        public Map<String, NDArray> run(NDManager manager, EngineSettings settings, DataType dtype) {
            double[] v = dtype == DataType.FLOAT64 ? reference.apply(++referenceCalls) : path;
            return Map.of("forward", manager.create(v).toType(dtype, false));
        }

        @Override
        public double tolerance(String quantity, EngineSettings settings) {
            return 1e-4;
        }
    }

    static double[] off(double by) {
        return new double[] {1, 2, 3 + by, 4};
    }

    @BeforeAll
    static void engine() {
        Runtime.init();
    }

    @Test
    void aReferenceWrongTheFirstTimeIsReplacedAndTheRightPathPasses() {
        // what libtorch's float64 convolution did on an AMD Zen 4 with glibc's malloc
        Scripted p = new Scripted("first reference wrong", n -> n == 1 ? off(0.05) : RIGHT, RIGHT);
        List<CheckReport.ProbeResult> r = CheckChild.run(p, EngineSettings.PLAIN);
        assertEquals(1, r.size());
        assertTrue(r.get(0).passed(), r.get(0).toString());
        assertEquals(3, p.referenceCalls);
        // the replaced reference serves the next path without more computations
        assertTrue(CheckChild.run(p, EngineSettings.PLAIN).get(0).passed());
        assertEquals(3, p.referenceCalls);
    }

    @Test
    void aWrongPathStillFailsOnceTheReferenceIsConfirmed() {
        Scripted p = new Scripted("path wrong", n -> RIGHT, off(0.05));
        CheckReport.ProbeResult r = CheckChild.run(p, EngineSettings.PLAIN).get(0);
        assertFalse(r.passed());
        assertNull(r.problem());
        assertEquals(0.05 / 4, r.error(), 1e-6);
        assertEquals(3, p.referenceCalls, "confirmed by two more computations");
        assertFalse(CheckChild.run(p, EngineSettings.PLAIN).get(0).passed());
        assertEquals(3, p.referenceCalls, "confirmed once per process");
    }

    @Test
    void aPassingPathComputesTheReferenceOnce() {
        Scripted p = new Scripted("all right", n -> RIGHT, RIGHT);
        assertTrue(CheckChild.run(p, EngineSettings.PLAIN).get(0).passed());
        assertEquals(1, p.referenceCalls);
    }

    @Test
    void aReferenceThatChangesEveryTimeGivesNoVerdict() {
        Scripted p = new Scripted("reference unstable", n -> off(0.01 * n), RIGHT);
        CheckReport.ProbeResult r = CheckChild.run(p, EngineSettings.PLAIN).get(0);
        assertFalse(r.passed());
        assertTrue(r.problem().contains("float64 reference differed between computations"), r.problem());
    }
}
