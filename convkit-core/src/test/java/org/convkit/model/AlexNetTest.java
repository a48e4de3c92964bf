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

class AlexNetTest {
    @BeforeAll
    static void engine() {
        Runtime.init();
    }

    /** torchvision.models.alexnet: 61,100,840 parameters (its documentation's "num_params"). */
    @Test
    void parameterCountEqualsTorchvision() {
        assertEquals(61_100_840L, Summary.of(Zoo.create("alexnet")).totalParams());
    }

    /** d2l 8.1 prints each layer's output for a 1x1x224x224 input; these are its numbers. */
    @Test
    void d2lVariantLayerShapesEqualD2lsPrintout() {
        ConvNet net = Zoo.create("alexnet-d2l");
        assertEquals(List.of(
                dims(1, 96, 54, 54), dims(1, 96, 54, 54), dims(1, 96, 26, 26),
                dims(1, 256, 26, 26), dims(1, 256, 26, 26), dims(1, 256, 12, 12),
                dims(1, 384, 12, 12), dims(1, 384, 12, 12), dims(1, 384, 12, 12), dims(1, 384, 12, 12),
                dims(1, 256, 12, 12), dims(1, 256, 12, 12), dims(1, 256, 5, 5),
                dims(1, 6400),
                dims(1, 4096), dims(1, 4096), dims(1, 4096), dims(1, 4096), dims(1, 4096), dims(1, 4096),
                dims(1, 10)),
                Nets.layerShapes(net, ""));
    }

    /** A Fashion-MNIST-sized input grows to torchvision's documented minimum, 63x63, and runs. */
    @Test
    void mnistSizedInputGrowsTo63AndRuns() {
        ConvNet net = Zoo.create("alexnet", ModelOptions.defaults().withInput(1, 28, 28).withClasses(10));
        assertEquals("1x63x63", net.options().inputSpec());
        try (NDManager m = NDManager.newBaseManager()) {
            net.initialize(m);
            assertEquals(List.of(new Shape(2, 10)), Nets.forwardCheckingStages(net, m, 2));
        }
    }

    @Test
    void stagesAndKeysFollowTorchvision() {
        ConvNet net = Zoo.create("alexnet");
        assertEquals(List.of("features", "pool", "pre_logits"), net.backbone().stageNames());
        Map<String, Shape> s = net.parameterShapes();
        TorchKeys k = net.torchKeys();
        assertEquals("features.10.weight", k.toTorch("backbone.features.10.weight").orElseThrow());
        assertEquals("classifier.1.weight", k.toTorch("backbone.pre_logits.1.weight").orElseThrow());
        assertEquals("classifier.6.bias", k.toTorch("head.0.bias").orElseThrow());
        assertEquals(new Shape(4096, 9216), s.get("backbone.pre_logits.1.weight"));
        // the adaptive pool makes the classifier independent of the input size
        ConvNet large = Zoo.create("alexnet", Nets.at("alexnet", 500));
        assertEquals(dims(1, 256, 6, 6), Nets.layerShapes(large, "backbone.pool.avgpool").get(0));
        assertEquals(new Shape(4096, 9216), large.parameterShapes().get("backbone.pre_logits.1.weight"));
    }
}
