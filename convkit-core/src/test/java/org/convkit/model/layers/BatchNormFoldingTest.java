package org.convkit.model.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import java.util.Map;
import org.convkit.core.EngineSettings;
import org.convkit.core.Runtime;
import org.convkit.eval.Evaluator;
import org.convkit.model.ConvNet;
import org.convkit.model.ModelOptions;
import org.convkit.model.Zoo;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Folded inference gives the unfolded evaluation-mode outputs (up to float rounding) for every
 * family with BatchNorm, folds every conv + BN pair, and leaves training passes alone.
 */
class BatchNormFoldingTest {
    /**
     * The layout training runs on this machine (NCHW, or native where oneDNN's NCHW failed the
     * self-check: on an AMD Zen 5 its NCHW gave googlenet NaN here now and then), with folding; the
     * other layouts: FidelityTest, in child JVMs.
     */
    static final EngineSettings FOLD = org.convkit.model.engine.EngineCheck.settings().forTraining().withFoldBatchNorm(true);

    @BeforeAll
    static void engine() {
        Runtime.init();
    }

    @ParameterizedTest
    @CsvSource({"resnet18, 20", "resnet50, 53", "vgg11_bn, 8", "simplecnn, 2", "googlenet, 57"})
    void foldedEqualsUnfolded(String name, int pairs) {
        ModelOptions o = Zoo.get(name).defaults().withClasses(10).withInput(3, 64, 64);
        o = name.equals("simplecnn") ? o.withArch("16,32").withFc("32") : o.withWidthMultiplier(0.25);
        o = name.startsWith("resnet") ? o : o.withDropout(0.0); // training passes are compared: no random masks
        try (NDManager m = NDManager.newBaseManager()) {
            ConvNet net = Zoo.create(name, o).setEngine(FOLD).initialize(m);
            // BN statistics and affine parameters far from the identity, so folding has work to do
            for (Map.Entry<String, Parameter> e : net.parametersByPath().entrySet()) {
                NDArray a = e.getValue().getArray();
                String k = e.getKey();
                if (k.endsWith("running_var")) {
                    a.set(m.randomUniform(0.5f, 2f, a.getShape()).toFloatArray());
                } else if (k.endsWith("running_mean") || a.getShape().dimension() == 1) {
                    // BN gamma/beta, and conv biases (zero after Init): folding adds them in too
                    a.set(m.randomNormal(0, 0.5f, a.getShape(), a.getDataType()).toFloatArray());
                }
            }
            NDArray x = m.randomNormal(new Shape(3, 3, 64, 64));
            float[] plain = eval(net, m, x);
            float[] folded = new Evaluator(net, m.getDevice()).logits(x, 3, m).singletonOrThrow().toFloatArray();
            float max = 0;
            for (float v : plain) {
                max = Math.max(max, Math.abs(v));
            }
            assertTrue(max > 0);
            assertArrayEquals(plain, folded, 1e-4f * max, name + ": folded vs plain, largest |logit| " + max);
            try (BatchNormFolding.Scope off = BatchNormFolding.fold(net, FOLD.withFoldBatchNorm(false))) {
                assertEquals(0, off.pairs(), "settings without folding fold nothing");
            }

            float[] trainInside;
            try (BatchNormFolding.Scope s = BatchNormFolding.fold(net, FOLD)) {
                assertEquals(pairs, s.pairs(), name + ": conv + BN pairs folded");
                try (BatchNormFolding.Scope inner = BatchNormFolding.fold(net, FOLD)) {
                    assertEquals(0, inner.pairs(), "an enclosing scope's pairs are not folded twice");
                }
                try (BatchNormFolding.Scope none = BatchNormFolding.fold(Zoo.create(name, o), FOLD)) {
                    assertEquals(0, none.pairs(), "uninitialized networks have nothing to fold");
                }
                // the folded convs really replace the BN blocks: BN statistics changed now are
                // not seen inside the scope (the fold was made from the values before)
                float[] inside = eval(net, m, x);
                assertArrayEquals(plain, inside, 1e-4f * max, "evaluation inside a scope is folded");
                net.parametersByPath().forEach((k, p) -> {
                    if (k.endsWith("running_mean")) {
                        p.getArray().addi(1f);
                    }
                });
                assertArrayEquals(inside, eval(net, m, x), 0f, name + ": no BN block ran inside the scope");
                trainInside = train(net, m, x);
            }
            float[] after = eval(net, m, x);
            // a training pass inside a scope normalizes with batch statistics, as one outside does
            // (its output does not depend on the running statistics it updates)
            float[] trainOutside = train(net, m, x);
            float trainMax = 0;
            for (float v : trainOutside) {
                trainMax = Math.max(trainMax, Math.abs(v));
            }
            assertArrayEquals(trainOutside, trainInside, 1e-5f * trainMax, name + ": a training pass is never folded");
            float diff = 0;
            for (int i = 0; i < after.length; i++) {
                diff = Math.max(diff, Math.abs(after[i] - plain[i]));
            }
            assertTrue(diff > 1e-3f * max, "after the scope the BN blocks run again and see the new statistics");
        }
    }

    /** A training-mode pass (BatchNorm on batch statistics). */
    private static float[] train(ConvNet net, NDManager m, NDArray x) {
        return net.forward(new ParameterStore(m, false), new NDList(x), true).singletonOrThrow().toFloatArray();
    }

    private static float[] eval(ConvNet net, NDManager m, NDArray x) {
        return net.forward(new ParameterStore(m, false), new NDList(x), false).singletonOrThrow().toFloatArray();
    }
}
