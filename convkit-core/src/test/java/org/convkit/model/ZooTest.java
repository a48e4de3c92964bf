package org.convkit.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.EngineException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.util.List;
import java.util.Map;
import org.convkit.core.ConvkitException;
import org.convkit.core.Runtime;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What every zoo entry must do. Widths are scaled to a quarter where a real forward pass runs:
 * widths do not change any spatial size, and it keeps VGG's 100M-parameter classifier out of a
 * unit test.
 */
class ZooTest {
    @BeforeAll
    static void engine() {
        Runtime.init();
    }

    static List<String> names() {
        return Zoo.names();
    }

    static ModelOptions narrow(String name, int size) {
        return Nets.at(name, size).withWidthMultiplier(0.25);
    }

    /**
     * A 1x1 input grows to the smallest size the network takes. torch itself is the judge: the
     * grown size runs (each stage's real output equals the inferred shape), one pixel less is
     * refused by a torch convolution or pooling layer — not by a Linear whose width no longer
     * matches, which would mean our arithmetic asked for more than torch needs.
     */
    @ParameterizedTest
    @MethodSource("names")
    void tooSmallInputGrowsToTheSmallestSizeTorchAccepts(String name) {
        ConvNet net = Zoo.create(name, narrow(name, 1));
        int size = net.options().height();
        assertEquals(size, net.options().width());
        try (NDManager m = NDManager.newBaseManager()) {
            net.initialize(m);
            Nets.forwardCheckingStages(net, m, 1);
            if (size > 1) {
                NDList smaller = new NDList(m.randomNormal(new Shape(1, net.options().channels(), size - 1, size - 1)));
                EngineException e = assertThrows(EngineException.class,
                        () -> net.forward(new ParameterStore(m, false), smaller, false));
                assertFalse(e.getMessage().contains("mat1 and mat2"), name + " at " + (size - 1) + ": " + e.getMessage());
            }
        }
    }

    /** torchvision's published minimum input sizes (the "min_size" of its weight metadata). */
    @ParameterizedTest
    @CsvSource({"alexnet,63", "vgg11,32", "vgg16_bn,32", "vgg19,32", "googlenet,15", "resnet18,1", "resnet50,1"})
    void minimumSizesEqualTorchvisionsMetadata(String name, int minSize) {
        assertEquals(minSize, Zoo.create(name, Nets.at(name, 1)).options().height());
    }

    @ParameterizedTest
    @MethodSource("names")
    void kHeadsForwardAndReplaceHeadKeepsTheBackbone(String name) {
        ConvNet net = Zoo.create(name, narrow(name, 1).withClasses(7).withHeads(3));
        try (NDManager m = NDManager.newBaseManager()) {
            net.initialize(m);
            assertEquals(List.of(new Shape(2, 7), new Shape(2, 7), new Shape(2, 7)), Nets.forwardCheckingStages(net, m, 2));

            Map.Entry<String, ai.djl.nn.Parameter> first = net.parametersByPath().entrySet().iterator().next();
            assertTrue(first.getKey().startsWith("backbone."), first.getKey());
            NDArray before = first.getValue().getArray().duplicate();
            net.replaceHead(4, 2);
            assertEquals(List.of(new Shape(2, 4), new Shape(2, 4)), Nets.forwardCheckingStages(net, m, 2));
            assertTrue(before.contentEquals(net.parametersByPath().get(first.getKey()).getArray()));
            assertEquals(4, net.options().classes());
            assertEquals(2, net.options().heads());
            assertTrue(net.parametersByPath().keySet().stream().anyMatch(k -> k.startsWith("head.1.")));
            assertFalse(net.parametersByPath().keySet().stream().anyMatch(k -> k.startsWith("head.2.")));
        }
    }

    /** Every parameter maps to a reference key (the head's first copy too), and no two collide. */
    @ParameterizedTest
    @MethodSource("names")
    void parameterPathsMapToDistinctReferenceKeys(String name) {
        ConvNet net = Zoo.create(name);
        Map<String, Shape> shapes = net.parameterShapes();
        assertFalse(net.isInitialized(), "counting shapes must leave the network uninitialized");
        long distinct = shapes.keySet().stream().map(p -> net.torchKeys().toTorch(p).orElseThrow(
                () -> new AssertionError(name + ": no reference key for " + p))).distinct().count();
        assertEquals(shapes.size(), distinct);
    }

    /** Counting by shape inference gives the same numbers as really initializing. */
    @Test
    void dryRunCountsEqualRealInitialization() {
        ConvNet net = Zoo.create("googlenet-d2l", Nets.at("googlenet-d2l", 96).withHeads(2));
        Summary dry = Summary.of(net);
        assertFalse(net.isInitialized());
        try (NDManager m = NDManager.newBaseManager()) {
            net.initialize(m);
            Summary real = Summary.of(net);
            assertEquals(real, dry);
            // and the network's own initializer ran, not the placeholder: Xavier weights are not all zero
            assertTrue(net.parametersByPath().get("head.1.weight").getArray().abs().sum().getFloat() > 0);
        }
    }

    @Test
    void dryRunKeepsTheArraysOfAPartlyInitializedNetwork() {
        ConvNet net = Zoo.create("lenet");
        try (NDManager m = NDManager.newBaseManager()) {
            net.backbone().initialize(m, DataType.FLOAT32, net.inputShape());
            NDArray w = net.parametersByPath().get("backbone.features.0.weight").getArray();
            assertEquals(61_706L, Summary.of(net).totalParams());
            assertSame(w, net.parametersByPath().get("backbone.features.0.weight").getArray());
            assertFalse(w.isReleased());
            assertFalse(net.parametersByPath().get("head.0.weight").isInitialized());
        }
    }

    @Test
    void familyOptionsAreRefusedWhereTheyDoNotApply() {
        ModelOptions d = ModelOptions.defaults();
        var e = assertThrows(ConvkitException.class, () -> Zoo.create("vgg16", d.withStem("cifar")));
        assertTrue(e.getMessage().contains("--stem") && e.getMessage().contains("vgg16"), e.getMessage());
        assertThrows(ConvkitException.class, () -> Zoo.create("resnet18", d.withDropout(0.3)));
        assertThrows(ConvkitException.class, () -> Zoo.create("alexnet", d.withActivation("sigmoid")));
        assertThrows(ConvkitException.class, () -> Zoo.create("googlenet-d2l", d.withDropout(0.3)));
        assertThrows(ConvkitException.class, () -> Zoo.create("lenet", d.withActivation("tanh")));
    }

    @Test
    void unknownModelListsTheKnownOnes() {
        var e = assertThrows(ConvkitException.class, () -> Zoo.create("vgg17"));
        assertTrue(e.getMessage().contains("vgg16_bn") && e.getMessage().contains("googlenet-d2l"), e.getMessage());
    }

    @Test
    void widthMultiplierScalesHiddenWidthsButNotClasses() {
        ConvNet net = Zoo.create("alexnet", ModelOptions.defaults().withWidthMultiplier(0.5).withClasses(3));
        Map<String, Shape> s = net.parameterShapes();
        assertEquals(new Shape(32, 3, 11, 11), s.get("backbone.features.0.weight"));
        assertEquals(new Shape(2048, 128 * 36), s.get("backbone.pre_logits.1.weight"));
        assertEquals(new Shape(3, 2048), s.get("head.0.weight"));
    }
}
