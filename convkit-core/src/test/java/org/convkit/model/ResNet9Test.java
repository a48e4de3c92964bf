package org.convkit.model;

import static org.convkit.model.Nets.dims;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.util.List;
import java.util.Map;
import org.convkit.core.ConvkitException;
import org.convkit.core.Runtime;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ResNet9Test {
    @BeforeAll
    static void engine() {
        Runtime.init();
    }

    /**
     * {@code sum(p.numel() for p in ResNet9().parameters())} for the reference module in
     * src/test/python/torch_weights.py, computed once with /usr/bin/python3 and PyTorch 1.13:
     * 6573130 at width 1 and 10 classes (Page's published 6.5M), 1646122 at width 0.5,
     * 7081000 with 1000 classes; with {@code pool="concat"} 6578250, and 412949 at width 0.25 with
     * the stride-2 stem and 5 classes (the photo recipe's network on flowers128).
     */
    @Test
    void parameterCountsEqualTheReferenceModule() {
        assertEquals(6_573_130L, Summary.of(Zoo.create("resnet9")).totalParams());
        assertEquals(1_646_122L, Summary.of(Zoo.create("resnet9", Zoo.get("resnet9").defaults()
                .withWidthMultiplier(0.5))).totalParams());
        assertEquals(7_081_000L, Summary.of(Zoo.create("resnet9", Zoo.get("resnet9").defaults()
                .withClasses(1000))).totalParams());
    }

    @Test
    void concatPoolCountsEqualTheReferenceModule() {
        ModelOptions concat = Zoo.get("resnet9").defaults().withPool("concat");
        assertEquals(6_578_250L, Summary.of(Zoo.create("resnet9", concat)).totalParams());
        assertEquals(412_949L, Summary.of(Zoo.create("resnet9", concat.withWidthMultiplier(0.25).withStem("stride2")
                .withClasses(5).withInput(3, 64, 64))).totalParams());
    }

    /**
     * {@code --pool concat} gives each image its channels' maxima, then their means (max first, as
     * fastai's AdaptiveConcatPool2d and the reference module), and the head reads twice the features.
     */
    @Test
    void concatPoolIsMaxThenAverage() {
        ConvNet net = Zoo.create("resnet9", Nets.at("resnet9", 32).withWidthMultiplier(0.125).withPool("concat"));
        assertEquals(dims(1, 128), Nets.stageShapes(net).get("pool"));
        try (NDManager m = NDManager.newBaseManager()) {
            net.initialize(m);
            ParameterStore ps = new ParameterStore(m, false);
            NDArray x = m.randomNormal(new Shape(2, 64, 3, 5));
            NDArray pooled = net.backbone().stage("pool").forward(ps, new NDList(x), false).singletonOrThrow();
            NDArray flat = x.reshape(2, 64, 15);
            NDArray expected = flat.max(new int[] {2}).concat(flat.mean(new int[] {2}), 1);
            assertEquals(new Shape(2, 128), pooled.getShape());
            assertTrue(pooled.allClose(expected, 1e-6, 1e-6, false), "pool = [max over H, W ; mean over H, W]");
            assertEquals(List.of(new Shape(2, 10)), Nets.forwardCheckingStages(net, m, 2));
        }
    }

    @Test
    void stagesAt32Pixels() {
        ConvNet net = Zoo.create("resnet9");
        assertEquals(List.of("prep", "layer1", "res1", "layer2", "layer3", "res3", "pool"), net.backbone().stageNames());
        Map<String, List<Long>> s = Nets.stageShapes(net);
        assertEquals(dims(1, 64, 32, 32), s.get("prep"));
        assertEquals(dims(1, 128, 16, 16), s.get("layer1"));
        assertEquals(dims(1, 128, 16, 16), s.get("res1"));
        assertEquals(dims(1, 256, 8, 8), s.get("layer2"));
        assertEquals(dims(1, 512, 4, 4), s.get("layer3"));
        assertEquals(dims(1, 512, 4, 4), s.get("res3"));
        assertEquals(dims(1, 512), s.get("pool"));
        assertEquals(dims(1, 10), s.get("head"));
        try (NDManager m = NDManager.newBaseManager()) {
            net.initialize(m);
            assertEquals(List.of(new Shape(2, 10)), Nets.forwardCheckingStages(net, m, 2));
        }
    }

    /** stride2 halves every map; the global pool still leaves one vector per image. */
    @Test
    void stride2StemAt64PixelsRunsAtHalfTheSize() {
        ModelOptions o = Nets.at("resnet9", 64).withStem("stride2").withWidthMultiplier(0.25);
        ConvNet net = Zoo.create("resnet9", o);
        Map<String, List<Long>> s = Nets.stageShapes(net);
        assertEquals(dims(1, 16, 32, 32), s.get("prep"));
        assertEquals(dims(1, 32, 16, 16), s.get("res1"));
        assertEquals(dims(1, 64, 8, 8), s.get("layer2"));
        assertEquals(dims(1, 128, 4, 4), s.get("res3"));
        assertEquals(dims(1, 128), s.get("pool"));
        try (NDManager m = NDManager.newBaseManager()) {
            net.initialize(m);
            assertEquals(List.of(new Shape(3, 10)), Nets.forwardCheckingStages(net, m, 3));
        }
        // the cifar stem at 64 px keeps the full size: twice the stride2 maps
        assertEquals(dims(1, 16, 64, 64), Nets.stageShapes(Zoo.create("resnet9", o.withStem("cifar"))).get("prep"));
    }

    @Test
    void keysAreTheReferenceModulesStateDict() {
        ConvNet net = Zoo.create("resnet9");
        TorchKeys k = net.torchKeys();
        List<String> keys = net.parameterShapes().keySet().stream().map(p -> k.toTorch(p).orElseThrow()).toList();
        // the reference state dict less its num_batches_tracked: 8 convs, 8 BatchNorms x 4, fc x 2
        assertEquals(8 + 8 * 4 + 2, keys.size());
        assertTrue(keys.containsAll(List.of("prep.0.weight", "prep.1.running_var", "layer1.0.weight",
                "layer1.1.running_mean", "res1.0.0.weight", "res1.0.1.running_mean", "res1.1.1.bias",
                "layer3.0.weight", "res3.1.0.weight", "fc.weight", "fc.bias")), keys.toString());
        assertEquals(new Shape(512, 256, 3, 3), net.parameterShapes().get("backbone.layer3.0.weight"));
    }

    /**
     * The residual adds its input to its body's output and nothing after: with its body giving 0
     * everywhere (the last BatchNorm scaled to 0 and shifted to -1, then ReLU) res1 passes an input
     * with negative values through unchanged, and with the body giving 1 it returns x + 1: a ReLU
     * after the sum would clip both.
     */
    @Test
    void residualIsInputPlusBodyWithoutRelu() {
        ConvNet net = Zoo.create("resnet9", Nets.at("resnet9", 16).withWidthMultiplier(0.125));
        try (NDManager m = NDManager.newBaseManager()) {
            net.initialize(m);
            ParameterStore ps = new ParameterStore(m, false);
            NDArray x = m.randomNormal(new Shape(2, 16, 8, 8)).sub(1);
            assertTrue(x.lt(-1).any().getBoolean(), "the input has values a ReLU would clip");
            net.parametersByPath().get("backbone.res1.1.1.weight").getArray().muli(0);
            net.parametersByPath().get("backbone.res1.1.1.bias").getArray().muli(0).subi(1);
            NDArray r1 = net.backbone().stage("res1").forward(ps, new NDList(x), false).singletonOrThrow();
            assertTrue(r1.allClose(x), "res1(x) = x + 0");
            net.parametersByPath().get("backbone.res1.1.1.bias").getArray().addi(2);
            r1 = net.backbone().stage("res1").forward(ps, new NDList(x), false).singletonOrThrow();
            assertTrue(r1.allClose(x.add(1)), "res1(x) = x + 1");
        }
    }

    @Test
    void badStemOrPoolNamesTheFlagAndTheChoices() {
        var e = assertThrows(ConvkitException.class,
                () -> Zoo.create("resnet9", Zoo.get("resnet9").defaults().withStem("imagenet")));
        assertTrue(e.getMessage().startsWith("--stem imagenet: resnet9 takes cifar"), e.getMessage());
        assertTrue(e.getMessage().contains("stride2"), e.getMessage());
        e = assertThrows(ConvkitException.class,
                () -> Zoo.create("resnet9", Zoo.get("resnet9").defaults().withArch("64,128")));
        assertTrue(e.getMessage().startsWith("--arch 64,128: resnet9 has no such option"), e.getMessage());
        e = assertThrows(ConvkitException.class,
                () -> Zoo.create("resnet9", Zoo.get("resnet9").defaults().withPool("avg")));
        assertTrue(e.getMessage().startsWith("--pool avg: resnet9 takes max"), e.getMessage());
        assertTrue(e.getMessage().contains("concat"), e.getMessage());
        e = assertThrows(ConvkitException.class,
                () -> Zoo.create("resnet18", Zoo.get("resnet18").defaults().withPool("concat")));
        assertTrue(e.getMessage().startsWith("--pool concat: resnet18 has no such option"), e.getMessage());
    }
}
