package org.convkit.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.convkit.core.Runtime;
import org.convkit.train.loss.Loss;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Loss value and its gradient against torch's cross_entropy(label_smoothing) / nll_loss, plain and on mixed batches. */
@Tag("integration")
class LossOracleTest {
    @ParameterizedTest(name = "{0} smoothing={1} heads={2}")
    @CsvSource({"ce, 0, 1", "ce, 0.1, 1", "ce, 0.3, 3", "nll, 0, 1", "nll, 0, 2"})
    void matchesTorch(String name, double smoothing, int heads) throws Exception {
        check(name, smoothing, heads, null);
    }

    /** A MixUp/CutMix batch's loss = torch's cross-entropy against the mixed one-hot targets torchvision makes. */
    @ParameterizedTest(name = "mixed share={0} smoothing={1} heads={2}")
    @CsvSource({"0.7, 0, 1", "0.3, 0.1, 1", "0.55, 0.1, 2"})
    void mixedBatchMatchesSoftTargets(double share, double smoothing, int heads) throws Exception {
        check("ce", smoothing, heads, new Mixing.Mixed(null, share, false));
    }

    private static void check(String name, double smoothing, int heads, Mixing.Mixed mixed) throws Exception {
        org.convkit.Needs.torch();
        int n = 7;
        int c = 5;
        Random r = new Random(11 + heads);
        List<float[]> scores = new ArrayList<>();
        for (int k = 0; k < heads; k++) {
            float[] s = Params.gaussian(r, n * c);
            for (int i = 0; i < s.length; i++) {
                s[i] *= 3;
            }
            scores.add(s);
        }
        long[] labels = new long[n * heads];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = r.nextInt(c);
        }
        Map<String, Object> in = new LinkedHashMap<>();
        in.put("mode", "loss");
        in.put("loss", name);
        in.put("smoothing", smoothing);
        in.put("heads", heads);
        in.put("classes", c);
        in.put("scores", scores);
        in.put("labels", labels);
        if (mixed != null) {
            in.put("share", mixed.share());
        }
        JsonNode torch = Torch.run(in);

        Engine engine = Runtime.init();
        try (NDManager m = NDManager.newBaseManager()) {
            NDList outs = new NDList();
            for (float[] s : scores) {
                NDArray a = m.create(s, new Shape(n, c));
                a.setRequiresGradient(true);
                outs.add(a);
            }
            NDArray y = m.create(labels, new Shape(n, heads));
            double value;
            try (GradientCollector gc = engine.newGradientCollector()) {
                Loss l = Loss.of(name, smoothing);
                NDArray loss = mixed == null ? l.compute(outs, y) : mixed.loss(l, outs, y);
                value = loss.getFloat();
                gc.backward(loss);
            }
            org.junit.jupiter.api.Assertions.assertEquals(torch.get("loss").asDouble(), value,
                    1e-6 * Math.abs(torch.get("loss").asDouble()), "loss");
            for (int k = 0; k < heads; k++) {
                OptimizerOracleTest.assertClose(torch.get("grads").get(k), outs.get(k).getGradient().toFloatArray(),
                        "gradient of head " + k);
            }
        }
    }
}
