package org.convkit.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.convkit.core.ConvkitException;
import org.convkit.train.optim.Optimizer;
import org.convkit.train.optim.Optimizers;
import org.convkit.train.optim.ParamGroup;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Saving and restoring an optimizer mid-run continues exactly as if it had never stopped. */
class OptimizerStateTest {
    private static final List<Shape> SHAPES = List.of(new Shape(4, 3), new Shape(3));

    @ParameterizedTest
    @ValueSource(strings = {"sgd", "adam", "adamw", "rmsprop"})
    void restoredStateContinuesExactly(String name) throws Exception {
        Random r = new Random(5);
        float[][][] grads = new float[5][SHAPES.size()][];
        for (float[][] g : grads) {
            for (int i = 0; i < SHAPES.size(); i++) {
                g[i] = Params.gaussian(r, (int) SHAPES.get(i).size());
            }
        }
        Optimizers.Settings settings = new Optimizers.Settings(0.9, false, 1e-2);
        float[][] straight;
        try (Params p = new Params(SHAPES, 1)) {
            Optimizer opt = Optimizers.create(name, p.oneGroup(1e-2), p.manager, settings);
            for (float[][] g : grads) {
                step(p, opt, g);
            }
            straight = new float[][] {p.values(0), p.values(1)};
        }
        try (Params p = new Params(SHAPES, 1);
                NDManager saved = NDManager.newBaseManager()) {
            Optimizer first = Optimizers.create(name, p.oneGroup(1e-2), p.manager, settings);
            for (int t = 0; t < 3; t++) {
                step(p, first, grads[t]);
            }
            // what a checkpoint keeps: tensors copied out, scalars through JSON
            Map<String, NDArray> tensors = new LinkedHashMap<>();
            first.stateTensors().forEach((k, v) -> tensors.put(k, saved.create(v.toFloatArray(), v.getShape())));
            ObjectMapper json = new ObjectMapper();
            @SuppressWarnings("unchecked")
            Map<String, Object> scalars = json.readValue(json.writeValueAsString(first.stateScalars()), Map.class);
            first.close();

            Optimizer second = Optimizers.create(name, p.oneGroup(1e-2), p.manager, settings);
            second.loadState(tensors, scalars);
            for (int t = 3; t < 5; t++) {
                step(p, second, grads[t]);
            }
            assertArrayEquals(straight[0], p.values(0), name + ": p0 after resume");
            assertArrayEquals(straight[1], p.values(1), name + ": p1 after resume");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"sgd"})
    void refusesStateOfAnotherOptimizer(String name) {
        try (Params p = new Params(SHAPES, 1)) {
            Optimizer opt = Optimizers.create(name, p.oneGroup(0), p.manager, new Optimizers.Settings(null, null, null));
            ConvkitException e = assertThrows(ConvkitException.class, () -> opt.loadState(Map.of(), Map.of("name", "adam")));
            assertEquals(true, e.getMessage().contains("--optimizer adam"), e.getMessage());
        }
    }

    @ParameterizedTest
    @ValueSource(doubles = {0.1})
    void groupsScaleTheRateAndFrozenParametersStay(double lr) {
        try (Params p = new Params(SHAPES, 3)) {
            float[] w0 = p.values(0);
            float[] w1 = p.values(1);
            List<ParamGroup> groups = List.of(
                    new ParamGroup("backbone", Map.of("p0", p.byPath.get("p0")), 0.1, 0),
                    new ParamGroup("head", Map.of("p1", p.byPath.get("p1")), 1, 0));
            Optimizer opt = Optimizers.create("sgd", groups, p.manager, new Optimizers.Settings(0.0, false, 0.0));
            float[][] g = {Params.gaussian(new Random(1), 12), Params.gaussian(new Random(2), 3)};
            step(p, opt, g, lr);
            for (int i = 0; i < w0.length; i++) {
                assertEquals(w0[i] - lr * 0.1 * g[0][i], p.values(0)[i], 1e-6, "backbone at a tenth of the rate");
            }
            for (int i = 0; i < w1.length; i++) {
                assertEquals(w1[i] - lr * g[1][i], p.values(1)[i], 1e-6, "head at the full rate");
            }
            float[] before = p.values(0);
            p.byPath.get("p0").freeze(true);
            p.setGradsOnly(1, g[1]);
            opt.setLr(lr);
            opt.step();
            assertArrayEquals(before, p.values(0), "a frozen parameter does not move");
        }
    }

    private static void step(Params p, Optimizer opt, float[][] g) {
        step(p, opt, g, 0.05);
    }

    private static void step(Params p, Optimizer opt, float[][] g, double lr) {
        p.setGrads(g);
        opt.setLr(lr);
        opt.step();
        opt.zeroGrad();
    }
}
