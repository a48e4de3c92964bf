package org.convkit.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.util.Map;
import org.convkit.core.Runtime;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ResNetTest {
    @BeforeAll
    static void engine() {
        Runtime.init();
    }

    /** Published torchvision parameter counts (torchvision.models docs / sum(p.numel())). */
    @ParameterizedTest
    @CsvSource({"resnet18,11689512", "resnet34,21797672", "resnet50,25557032", "resnet101,44549160", "resnet152,60192808"})
    void parameterCountsEqualTorchvision(String name, long expected) {
        assertEquals(expected, Summary.of(Zoo.create(name)).totalParams());
    }

    @Test
    void pathsAreTorchvisionKeys() {
        ConvNet net = Zoo.create("resnet50");
        try (NDManager m = NDManager.newBaseManager()) {
            net.initialize(m);
            Map<String, ai.djl.nn.Parameter> p = net.parametersByPath();
            TorchKeys k = net.torchKeys();
            var keys = p.keySet().stream().map(s -> k.toTorch(s).orElseThrow()).toList();
            assertTrue(keys.contains("conv1.weight"));
            assertTrue(keys.contains("bn1.running_var"));
            assertTrue(keys.contains("layer1.0.downsample.0.weight"));
            assertTrue(keys.contains("layer4.2.bn3.bias"));
            assertTrue(keys.contains("fc.weight"));
            // torchvision resnet50 state dict: 53 convs + 53 BN x 4 + fc x 2 (num_batches_tracked aside)
            assertEquals(53 + 53 * 4 + 2, keys.size());
        }
    }

    @Test
    void cifarStemKeepsSpatialSizeAndForwardRuns() {
        ConvNet net = Zoo.create("resnet18", ModelOptions.defaults().withInput(3, 32, 32).withClasses(10).withStem("cifar"));
        try (NDManager m = NDManager.newBaseManager()) {
            net.initialize(m);
            NDList out = net.forward(new ParameterStore(m, false), new NDList(m.randomNormal(new Shape(2, 3, 32, 32))), false);
            assertEquals(new Shape(2, 10), out.singletonOrThrow().getShape());
            Summary s = Summary.of(net);
            // layer4 sees 4x4 with the CIFAR stem (8x smaller input, no stride-4 stem)
            assertEquals(java.util.List.of(1L, 512L, 4L, 4L),
                    s.layers().stream().filter(r -> r.path().equals("backbone.layer4.1.bn2")).findFirst().orElseThrow().outputShape());
        }
    }

    @Test
    void replaceHeadKeepsBackboneAndChangesClasses() {
        ConvNet net = Zoo.create("resnet18", ModelOptions.defaults().withInput(3, 64, 64));
        try (NDManager m = NDManager.newBaseManager()) {
            net.initialize(m);
            var before = net.parametersByPath().get("backbone.layer1.0.conv1.weight").getArray().duplicate();
            net.replaceHead(2, 3);
            NDList out = net.forward(new ParameterStore(m, false), new NDList(m.randomNormal(new Shape(1, 3, 64, 64))), false);
            assertEquals(3, out.size());
            assertEquals(new Shape(1, 2), out.get(2).getShape());
            assertTrue(before.contentEquals(net.parametersByPath().get("backbone.layer1.0.conv1.weight").getArray()));
            assertEquals(512L * 2 + 2, net.parametersByPath().get("head.1.weight").getArray().size() + 2);
        }
    }
}
