package org.convkit.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.convkit.train.optim.Optimizer;
import org.convkit.train.optim.Optimizers;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Our optimizers against torch.optim: same initial parameters, same gradients, same learning
 * rate (and momentum) per step; parameters and state must agree after every step within 1e-6
 * relative.
 */
@Tag("integration")
class OptimizerOracleTest {
    private static final List<Shape> SHAPES = List.of(new Shape(3, 4), new Shape(5), new Shape(2, 2));
    private static final int STEPS = 6;

    @ParameterizedTest(name = "{0} momentum={1} nesterov={2} wd={3} varyLr={4} cycleMomentum={5}")
    @CsvSource({
        "sgd, 0, false, 0, false, false",
        "sgd, 0.9, false, 5e-4, true, false",
        "sgd, 0.9, true, 1e-2, true, false",
        "sgd, 0.9, false, 1e-3, true, true",
        "adam, 0.9, false, 0, true, false",
        "adam, 0.9, false, 1e-2, false, false",
        "adamw, 0.9, false, 1e-2, true, true",
        "rmsprop, 0, false, 0, false, false",
        "rmsprop, 0.9, false, 1e-3, true, false",
    })
    void matchesTorch(String name, double momentum, boolean nesterov, double wd, boolean varyLr, boolean cycle)
            throws Exception {
        org.convkit.Needs.torch();
        Random r = new Random(name.hashCode() * 31L + (long) (momentum * 100) + (nesterov ? 7 : 0));
        double lr0 = name.startsWith("sgd") ? 0.1 : 0.01;
        double[] lrs = new double[STEPS];
        double[] momenta = new double[STEPS];
        for (int t = 0; t < STEPS; t++) {
            lrs[t] = varyLr ? lr0 * (0.2 + r.nextDouble()) : lr0;
            momenta[t] = cycle ? 0.85 + 0.1 * r.nextDouble() : momentum;
        }
        List<float[][]> grads = new ArrayList<>();
        for (int t = 0; t < STEPS; t++) {
            float[][] g = new float[SHAPES.size()][];
            for (int i = 0; i < SHAPES.size(); i++) {
                // the last parameter never gets a gradient: both sides must leave it alone
                g[i] = i == SHAPES.size() - 1 ? null : Params.gaussian(r, (int) SHAPES.get(i).size());
            }
            grads.add(g);
        }
        try (Params params = new Params(SHAPES, 42)) {
            Map<String, Object> kwargs = new LinkedHashMap<>();
            kwargs.put("weight_decay", wd);
            switch (name) {
                case "sgd" -> {
                    kwargs.put("momentum", momentum);
                    kwargs.put("nesterov", nesterov);
                }
                case "rmsprop" -> kwargs.put("momentum", momentum);
                default -> kwargs.put("betas", List.of(momentum, 0.999));
            }
            Map<String, Object> input = new LinkedHashMap<>();
            input.put("mode", "optim");
            input.put("name", name);
            input.put("kwargs", kwargs);
            List<Map<String, Object>> ps = new ArrayList<>();
            for (int i = 0; i < SHAPES.size(); i++) {
                ps.add(Map.of("shape", SHAPES.get(i).getShape(), "data", params.values(i)));
            }
            input.put("params", ps);
            input.put("grads", grads);
            input.put("lrs", lrs);
            if (cycle) {
                input.put("momenta", momenta);
            }
            JsonNode torch = Torch.run(input);

            Optimizer opt = Optimizers.create(name, params.oneGroup(wd), params.manager,
                    new Optimizers.Settings(momentum, nesterov, wd));
            float[] untouched = params.values(SHAPES.size() - 1);
            for (int t = 0; t < STEPS; t++) {
                params.setGrads(grads.get(t));
                opt.setLr(lrs[t]);
                if (cycle) {
                    opt.setMomentum(momenta[t]);
                }
                opt.step();
                opt.zeroGrad();
                for (int i = 0; i < SHAPES.size(); i++) {
                    assertClose(torch.get(t).get("params").get(i), params.values(i), name + " step " + (t + 1) + " p" + i);
                }
            }
            assertEquals(untouched.length, params.values(SHAPES.size() - 1).length);
            JsonNode state = torch.get(STEPS - 1).get("state");
            int compared = 0;
            for (Map.Entry<String, NDArray> e : opt.stateTensors().entrySet()) {
                String key = e.getKey().substring(1); // "p0/exp_avg" -> "0/exp_avg"
                assertTrue(state.has(key), "torch has no state " + key + " (it has " + state + ")");
                assertClose(state.get(key), e.getValue().toFloatArray(), name + " state " + key);
                compared++;
            }
            assertEquals(state.size(), compared, "same state tensors as torch: " + state.fieldNames());
            opt.close();
        }
    }

    /**
     * 1e-6 relative to the tensor's scale: an entry that cancels to near zero (w - lr * d with both
     * terms near 1) carries the float32 rounding of its operands, not of its own size.
     */
    static void assertClose(JsonNode expected, float[] actual, String what) {
        assertEquals(expected.size(), actual.length, what + ": size");
        double scale = 0;
        for (JsonNode v : expected) {
            scale = Math.max(scale, Math.abs(v.asDouble()));
        }
        for (int i = 0; i < actual.length; i++) {
            double e = expected.get(i).asDouble();
            double tol = 1e-6 * Math.max(Math.abs(e), scale);
            assertTrue(Math.abs(e - actual[i]) <= tol,
                    what + "[" + i + "]: torch " + e + ", convkit " + actual[i] + " (diff " + Math.abs(e - actual[i]) + ")");
        }
    }
}
