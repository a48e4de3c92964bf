package org.convkit.model;

import static org.convkit.model.Nets.dims;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.types.Shape;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.convkit.core.Runtime;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class GoogLeNetTest {
    @BeforeAll
    static void engine() {
        Runtime.init();
    }

    /** torchvision.models.googlenet without the auxiliary classifiers: 6,624,904 parameters. */
    @Test
    void parameterCountEqualsTorchvision() {
        assertEquals(6_624_904L, Summary.of(Zoo.create("googlenet")).totalParams());
    }

    /** The shapes torchvision's GoogLeNet._forward notes in its comments for a 224x224 input. */
    @Test
    void stageShapesEqualTorchvisionsComments() {
        Map<String, List<Long>> expected = new LinkedHashMap<>();
        expected.put("stem", dims(1, 192, 28, 28));
        expected.put("inception3", dims(1, 480, 14, 14));
        expected.put("inception4", dims(1, 832, 7, 7));
        expected.put("inception5", dims(1, 1024, 7, 7));
        expected.put("pool", dims(1, 1024));
        expected.put("head", dims(1, 1000));
        assertEquals(expected, Nets.stageShapes(Zoo.create("googlenet")));
    }

    /** d2l 8.4 prints each Sequential's output for a 1x1x96x96 input. */
    @Test
    void d2lVariantStageShapesEqualD2lsPrintout() {
        Map<String, List<Long>> expected = new LinkedHashMap<>();
        expected.put("b1", dims(1, 64, 24, 24));
        expected.put("b2", dims(1, 192, 12, 12));
        expected.put("b3", dims(1, 480, 6, 6));
        expected.put("b4", dims(1, 832, 3, 3));
        expected.put("b5", dims(1, 1024));
        expected.put("head", dims(1, 10));
        assertEquals(expected, Nets.stageShapes(Zoo.create("googlenet-d2l")));
    }

    /** torchvision's branch3 is 1x1 then 3x3 (its known deviation from the paper's 5x5). */
    @Test
    void branch3UsesTorchvisionsThreeByThree() {
        var s = Zoo.create("googlenet").parameterShapes();
        assertEquals(new Shape(32, 16, 3, 3), s.get("backbone.inception3.inception3a.branch3.1.conv.weight"));
        assertEquals(new Shape(64, 192, 1, 1), s.get("backbone.inception3.inception3a.branch1.conv.weight"));
        assertTrue(s.keySet().stream().noneMatch(k -> k.contains(".conv.bias")), "BasicConv2d convs have no bias");
        var d2l = Zoo.create("googlenet-d2l").parameterShapes();
        assertEquals(new Shape(32, 16, 5, 5), d2l.get("backbone.b3.0.b3.2.weight"));
    }

    @Test
    void keys() {
        TorchKeys tv = Zoo.create("googlenet").torchKeys();
        assertEquals("conv1.bn.running_var", tv.toTorch("backbone.stem.conv1.bn.running_var").orElseThrow());
        assertEquals("inception4e.branch4.1.conv.weight",
                tv.toTorch("backbone.inception4.inception4e.branch4.1.conv.weight").orElseThrow());
        assertEquals("fc.weight", tv.toTorch("head.0.weight").orElseThrow());
        TorchKeys d2l = Zoo.create("googlenet-d2l").torchKeys();
        assertEquals("net.2.0.b2_2.weight", d2l.toTorch("backbone.b3.0.b2.2.weight").orElseThrow());
        assertEquals("net.3.4.b4_2.bias", d2l.toTorch("backbone.b4.4.b4.1.bias").orElseThrow());
        assertEquals("net.1.2.weight", d2l.toTorch("backbone.b2.2.weight").orElseThrow());
        assertEquals("net.5.weight", d2l.toTorch("head.0.weight").orElseThrow());
    }
}
