package org.convkit.model.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import java.util.LinkedHashMap;
import java.util.Map;
import org.convkit.core.Autograd;
import org.convkit.core.EngineSettings;
import org.convkit.core.Runtime;
import org.convkit.model.ConvNet;
import org.convkit.model.ModelOptions;
import org.convkit.model.Zoo;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Channels-last weights are a storage detail: the same values, the same outputs and gradients as
 * NCHW weights, trainable with in-place updates (the failure mode of a layout made by views). Two
 * networks with different settings side by side in one JVM.
 */
@Tag("own-jvm") // runs channels-last, which crashes libtorch on some CPUs: a crash ends only this JVM
class MemoryFormatTest {
    static final EngineSettings NCHW = EngineSettings.PLAIN;
    static final EngineSettings CHANNELS_LAST = NCHW.withLayout(EngineSettings.Layout.CHANNELS_LAST);

    @BeforeAll
    static void engine() throws java.io.IOException {
        Runtime.init();
        // where channels-last failed the engine self-check convkit never runs it: nothing to compare
        org.convkit.model.engine.CheckReport.PathResult r = org.convkit.model.engine.EngineCheck.report(
                org.convkit.model.engine.EngineCheck.Options.defaults(), false).path("channels-last");
        org.junit.jupiter.api.Assumptions.assumeTrue(r != null && r.passed(), "skipped: channels-last "
                + (r == null ? "was not checked" : r.summary()) + " on this machine, so convkit never runs it here");
    }

    /** lenet: 1-channel first conv (C = 1 weights); resnet18 cifar: 1x1 downsample convs, BN. */
    @ParameterizedTest
    @ValueSource(strings = {"lenet", "resnet18"})
    void sameValuesOutputsAndGradientsAsNchw(String name) {
        ModelOptions o = Zoo.get(name).defaults().withClasses(10);
        o = name.equals("resnet18") ? o.withStem("cifar").withInput(3, 32, 32).withWidthMultiplier(0.25) : o;
        Engine engine = Runtime.init();
        engine.setRandomSeed(7); // the same weights and inputs every run
        try (NDManager m = NDManager.newBaseManager()) {
            ConvNet cl = Zoo.create(name, o).setEngine(CHANNELS_LAST).initialize(m);
            ConvNet nchw = Zoo.create(name, o).setEngine(NCHW).initialize(m);
            Map<String, float[]> values = new LinkedHashMap<>();
            cl.parametersByPath().forEach((path, p) -> values.put(path, p.getArray().toFloatArray()));
            nchw.parametersByPath().forEach((path, p) -> p.getArray().set(values.get(path)));

            // changing the layout there and back, or applying it again, changes no value and keeps
            // gradients on
            cl.setEngine(NCHW).setEngine(CHANNELS_LAST);
            MemoryFormat.apply(cl, EngineSettings.Layout.CHANNELS_LAST);
            cl.parametersByPath().forEach((path, p) -> {
                assertArrayEquals(values.get(path), p.getArray().toFloatArray(), path);
                assertEquals(p.requiresGradient(), p.getArray().hasGradient(), path);
            });

            Shape in = cl.inputShape();
            NDArray x = m.randomNormal(new Shape(4, in.get(1), in.get(2), in.get(3)));
            // a random weighting of the outputs: with a plain sum every BatchNorm in training mode
            // passes back an exact zero, and the gradients left would be rounding noise
            NDArray w = m.randomNormal(new Shape(4, 10));
            float[] outCl = trainStep(engine, m, cl, x, w);
            float[] outNchw = trainStep(engine, m, nchw, x, w);
            assertArrayEquals(outNchw, outCl, 1e-4f);
            for (Map.Entry<String, Parameter> e : cl.parametersByPath().entrySet()) {
                Parameter twin = nchw.parametersByPath().get(e.getKey());
                if (e.getValue().getArray().getShape().dimension() == 4) {
                    float[] g1 = e.getValue().getArray().getGradient().toFloatArray();
                    float[] g2 = twin.getArray().getGradient().toFloatArray();
                    assertEquals(g2.length, g1.length);
                    // whole-tensor relative error: single elements may be small differences of
                    // large sums, rounded differently by the two convolution algorithms
                    double diff = 0;
                    double norm = 0;
                    for (int i = 0; i < g1.length; i++) {
                        diff += (g1[i] - g2[i]) * (double) (g1[i] - g2[i]);
                        norm += g2[i] * (double) g2[i];
                    }
                    assertTrue(norm > 0, e.getKey() + ": a gradient");
                    // 1e-2: the stem's gradient comes back through every BatchNorm of a batch of 4
                    // (2.6e-3 seen); a layout error would be of order 1
                    assertTrue(Math.sqrt(diff / norm) < 1e-2, e.getKey() + ": relative gradient error "
                            + Math.sqrt(diff / norm));
                }
            }
            // an in-place update, then another forward with gradients recorded: must not throw
            try (Autograd.NoGrad ignored = Autograd.noGrad()) {
                for (Parameter p : cl.parametersByPath().values()) {
                    if (p.requiresGradient()) {
                        p.getArray().subi(p.getArray().getGradient().mul(0.01f));
                    }
                }
            }
            trainStep(engine, m, cl, x, w);
        }
    }

    /** Forward in training mode, the weighted sum of outputs backward; returns the outputs. */
    private static float[] trainStep(Engine engine, NDManager m, ConvNet net, NDArray x, NDArray weights) {
        try (GradientCollector gc = engine.newGradientCollector()) {
            NDList out = net.forward(new ParameterStore(m, false), new NDList(x), true);
            gc.backward(out.singletonOrThrow().mul(weights).sum());
            return out.singletonOrThrow().toFloatArray();
        }
    }
}
