package org.convkit.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.convkit.core.Runtime;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Building and summarizing every zoo model in one JVM leaves no native memory behind.
 *
 * <p>The measure is DJL's own bookkeeping: every native tensor belongs to a manager, every manager
 * hangs off the engine's system manager. {@code getManagedArrays()} on the system manager walks
 * that whole tree, so a tensor that was never closed (or a manager that was never closed, with its
 * tensors) is counted; the number of managers attached is read from the system manager too.
 */
class ZooMemoryTest {
    private static NDManager system;

    @BeforeAll
    static void engine() {
        Runtime.init();
        try (NDManager probe = NDManager.newBaseManager()) {
            system = probe.getParentManager();
        }
    }

    @Test
    void everyModelBuiltAndSummarizedLeavesNothingAttached() {
        int arrays = system.getManagedArrays().size();
        int managers = attached(system);

        // the measure is not blind: a forgotten manager with one tensor is seen, and closing it clears it
        NDManager forgotten = NDManager.newBaseManager();
        forgotten.zeros(new Shape(3));
        assertEquals(arrays + 1, system.getManagedArrays().size());
        assertEquals(managers + 1, attached(system));
        forgotten.close();
        assertEquals(arrays, system.getManagedArrays().size());

        for (String name : Zoo.names()) {
            ConvNet published = Zoo.create(name); // at the published defaults: counted without weights
            Summary.of(published);
            published.parameterShapes();
            assertFalse(published.isInitialized(), name);

            // grown from 1x1 to its smallest size, narrow, initialized for real and run
            ModelOptions d = Zoo.get(name).defaults();
            ConvNet small = Zoo.create(name, d.withInput(d.channels(), 1, 1).withWidthMultiplier(0.25).withHeads(2));
            try (NDManager m = NDManager.newBaseManager()) {
                small.initialize(m);
                Summary.of(small);
                small.replaceHead(3, 1);
                Nets.forwardCheckingStages(small, m, 1);
            }
            assertEquals(arrays, system.getManagedArrays().size(), "after " + name);
            assertEquals(managers, attached(system), "after " + name);
        }
    }

    /**
     * Managers (and tensors made directly in it) attached to the system manager, as DJL's
     * BaseNDManager reports them ("Resource size: N"); DJL offers no other public count.
     */
    static int attached(NDManager manager) {
        Matcher m = Pattern.compile("Resource size: (\\d+)").matcher(manager.toString());
        if (!m.find()) {
            throw new AssertionError("DJL's manager description changed: " + manager);
        }
        return Integer.parseInt(m.group(1));
    }
}
