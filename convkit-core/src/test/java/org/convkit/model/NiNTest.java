package org.convkit.model;

import static org.convkit.model.Nets.dims;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import java.util.Map;
import org.convkit.core.Runtime;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class NiNTest {
    @BeforeAll
    static void engine() {
        Runtime.init();
    }

    /**
     * d2l 8.3 prints, for a 1x1x224x224 input: NiN block, MaxPool (x3), Dropout, the classifier's
     * NiN block, AdaptiveAvgPool2d, Flatten.
     */
    @Test
    void shapesEqualD2lsPrintout() {
        ConvNet net = Zoo.create("nin");
        Map<String, List<Long>> stages = Nets.stageShapes(net);
        assertEquals(dims(1, 96, 54, 54), Nets.layerShapes(net, "backbone.nin1.block.5").get(0));
        assertEquals(dims(1, 96, 26, 26), stages.get("nin1"));
        assertEquals(dims(1, 256, 26, 26), Nets.layerShapes(net, "backbone.nin2.block.5").get(0));
        assertEquals(dims(1, 256, 12, 12), stages.get("nin2"));
        assertEquals(dims(1, 384, 12, 12), Nets.layerShapes(net, "backbone.nin3.block.5").get(0));
        assertEquals(dims(1, 384, 5, 5), stages.get("nin3"));
        assertEquals(dims(1, 384, 5, 5), stages.get("dropout"));
        assertEquals(List.of(dims(1, 10, 5, 5), dims(1, 10, 1, 1), dims(1, 10)),
                List.of(Nets.layerShapes(net, "head.0.block.5").get(0), Nets.layerShapes(net, "head.0.avgpool").get(0),
                        Nets.layerShapes(net, "head.0.flatten").get(0)));
    }

    /** The head is a whole NiN block: a new head builds one with the new class count. */
    @Test
    void replacingTheHeadBuildsANewNinBlock() {
        ConvNet net = Zoo.create("nin", Nets.at("nin", 96));
        try (NDManager m = NDManager.newBaseManager()) {
            net.initialize(m);
            net.replaceHead(3, 2);
            Map<String, Shape> s = net.parameterShapes();
            assertEquals(new Shape(3, 384, 3, 3), s.get("head.1.block.0.weight"));
            assertEquals(new Shape(3, 3, 1, 1), s.get("head.1.block.4.weight"));
            assertEquals(List.of(new Shape(5, 3), new Shape(5, 3)), Nets.forwardCheckingStages(net, m, 5));
        }
    }

    @Test
    void keysAreD2lsSequentialIndices() {
        TorchKeys k = Zoo.create("nin").torchKeys();
        assertEquals("net.0.0.weight", k.toTorch("backbone.nin1.block.0.weight").orElseThrow());
        assertEquals("net.4.2.bias", k.toTorch("backbone.nin3.block.2.bias").orElseThrow());
        assertEquals("net.7.4.weight", k.toTorch("head.0.block.4.weight").orElseThrow());
    }
}
