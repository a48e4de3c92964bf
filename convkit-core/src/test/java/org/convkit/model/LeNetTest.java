package org.convkit.model;

import static org.convkit.model.Nets.dims;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.convkit.core.Runtime;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class LeNetTest {
    @BeforeAll
    static void engine() {
        Runtime.init();
    }

    /** d2l 7.6 prints each layer's output for a 1x1x28x28 input; these are its numbers. */
    @Test
    void layerShapesEqualD2lsPrintout() {
        ConvNet net = Zoo.create("lenet");
        assertEquals(List.of(
                dims(1, 6, 28, 28), dims(1, 6, 28, 28), dims(1, 6, 14, 14),
                dims(1, 16, 10, 10), dims(1, 16, 10, 10), dims(1, 16, 5, 5),
                dims(1, 400), dims(1, 120), dims(1, 120), dims(1, 84), dims(1, 84), dims(1, 10)),
                Nets.layerShapes(net, ""));
    }

    @Test
    void sigmoidByDefaultReluOnRequest() {
        Summary sigmoid = Summary.of(Zoo.create("lenet"));
        Summary relu = Summary.of(Zoo.create("lenet", Nets.at("lenet", 28).withActivation("relu")));
        assertEquals(4, sigmoid.layers().stream().filter(r -> r.type().startsWith("Sigmoid")).count());
        assertEquals(4, relu.layers().stream().filter(r -> r.type().startsWith("ReLU")).count());
        assertEquals(sigmoid.totalParams(), relu.totalParams());
    }

    @Test
    void sigmoidHiddenOutputsLieInTheUnitInterval() {
        ConvNet net = Zoo.create("lenet");
        try (NDManager m = NDManager.newBaseManager()) {
            net.initialize(m);
            ParameterStore ps = new ParameterStore(m, false);
            NDList x = new NDList(m.randomNormal(new Shape(4, 1, 28, 28)).mul(10));
            NDList h = net.backbone().forward(ps, x, false);
            assertEquals(new Shape(4, 84), h.singletonOrThrow().getShape());
            assertTrue(h.singletonOrThrow().min().getFloat() >= 0 && h.singletonOrThrow().max().getFloat() <= 1);
        }
    }

    /** d2l's LeNet is one nn.Sequential: convs at net.0 and net.3, linears at net.7, 9, 11. */
    @Test
    void keysAreD2lsSequentialIndices() {
        ConvNet net = Zoo.create("lenet");
        Set<String> keys = new TreeSet<>();
        net.parameterShapes().keySet().forEach(p -> keys.add(net.torchKeys().toTorch(p).orElseThrow()));
        Set<String> expected = new TreeSet<>();
        for (int i : new int[] {0, 3, 7, 9, 11}) {
            expected.add("net." + i + ".weight");
            expected.add("net." + i + ".bias");
        }
        assertEquals(expected, keys);
    }
}
