package org.convkit.model;

import static org.convkit.model.Nets.dims;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.types.Shape;
import java.util.List;
import org.convkit.core.ConvkitException;
import org.convkit.core.Runtime;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class SimpleCnnTest {
    @BeforeAll
    static void engine() {
        Runtime.init();
    }

    /** The homework's comments: [64,128,128] after the first conv ... [512,4,4] after the last pool. */
    @Test
    void defaultsAreTheFood11Baseline() {
        ConvNet net = Zoo.create("simplecnn");
        List<List<Long>> pools = Summary.of(net).layers().stream()
                .filter(r -> r.type().startsWith("MaxPool2d")).map(Summary.Row::outputShape).toList();
        assertEquals(List.of(dims(1, 64, 64, 64), dims(1, 128, 32, 32), dims(1, 256, 16, 16),
                dims(1, 512, 8, 8), dims(1, 512, 4, 4)), pools);
        var s = net.parameterShapes();
        assertEquals(new Shape(1024, 512 * 4 * 4), s.get("backbone.pre_logits.0.weight"));
        assertEquals(new Shape(512, 1024), s.get("backbone.pre_logits.2.weight"));
        assertEquals(new Shape(11, 512), s.get("head.0.weight"));
        TorchKeys k = net.torchKeys();
        assertEquals("cnn.1.running_mean", k.toTorch("backbone.features.1.running_mean").orElseThrow());
        assertEquals("fc.2.weight", k.toTorch("backbone.pre_logits.2.weight").orElseThrow());
        assertEquals("fc.4.weight", k.toTorch("head.0.weight").orElseThrow());
    }

    @Test
    void archFcAndDropout() {
        ModelOptions o = Nets.at("simplecnn", 64).withArch("32,64").withFc("100").withDropout(0.3);
        ConvNet net = Zoo.create("simplecnn", o);
        Summary sum = Summary.of(net);
        assertEquals(List.of("Linear(16384->100)", "ReLU()", "Dropout"),
                sum.layers().stream().filter(r -> r.path().startsWith("backbone.pre_logits")).map(Summary.Row::type).toList());
        assertEquals("fc.3.weight", net.torchKeys().toTorch("head.0.weight").orElseThrow());

        ConvNet linearOnly = Zoo.create("simplecnn", o.withFc(""));
        assertEquals(List.of("features", "flatten"), linearOnly.backbone().stageNames());
        assertEquals(new Shape(11, 64 * 16 * 16), linearOnly.parameterShapes().get("head.0.weight"));
        assertEquals("fc.0.weight", linearOnly.torchKeys().toTorch("head.0.weight").orElseThrow());
    }

    @Test
    void badWidthsNameTheFlag() {
        var e = assertThrows(ConvkitException.class,
                () -> Zoo.create("simplecnn", Nets.at("simplecnn", 128).withFc("1024;512")));
        assertTrue(e.getMessage().startsWith("--fc 1024;512:"), e.getMessage());
        e = assertThrows(ConvkitException.class,
                () -> Zoo.create("simplecnn", Nets.at("simplecnn", 128).withArch("64,-1")));
        assertTrue(e.getMessage().startsWith("--arch 64,-1:"), e.getMessage());
    }
}
