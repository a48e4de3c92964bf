package org.convkit.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Metrics against PyTorch: F.cross_entropy for the loss, torch.topk for top-5, torch.bincount for
 * the confusion matrix and the TP/FP/FN counts behind precision, recall and F1.
 */
@Tag("integration")
class MetricsOracleTest {
    @BeforeAll
    static void torch() {
        org.convkit.Needs.torch();
    }

    @ParameterizedTest(name = "{0} classes, {1} heads, blank {2}")
    @CsvSource({"10,1,-1,257,3", "4,1,-1,100,2", "1000,1,-1,64,8", "11,5,10,300,4", "3,2,-1,50,1"})
    void agreesWithTorch(int classes, int heads, int blank, int n, int batches) throws Exception {
        Random rnd = new Random(classes * 31L + heads);
        float[][] logits = new float[heads][n * classes];
        int[] labels = new int[n * heads];
        for (int i = 0; i < n; i++) {
            for (int h = 0; h < heads; h++) {
                int y = rnd.nextInt(classes);
                labels[i * heads + h] = y;
                for (int c = 0; c < classes; c++) {
                    // informative but noisy scores, so there are hits and misses of every kind
                    logits[h][i * classes + c] = (float) (2.5 * rnd.nextGaussian() + (c == y ? 2.0 : 0.0));
                }
            }
        }
        Metrics m = new Metrics(names(classes), heads, blank, 5);
        int per = (n + batches - 1) / batches;
        for (int from = 0; from < n; from += per) {
            int to = Math.min(n, from + per);
            float[][] part = new float[heads][];
            for (int h = 0; h < heads; h++) {
                part[h] = java.util.Arrays.copyOfRange(logits[h], from * classes, to * classes);
            }
            m.add(part, java.util.Arrays.copyOfRange(labels, from * heads, to * heads), null, null);
        }
        EvalResult r = m.result();

        Map<String, Object> in = new LinkedHashMap<>();
        in.put("classes", classes);
        in.put("heads", heads);
        in.put("blank", blank);
        in.put("logits", logits);
        in.put("labels", labels);
        JsonNode ref = TorchOracle.run("metrics_oracle.py", in);

        assertEquals(n, r.samples());
        assertEquals(ref.get("loss").asDouble(), r.loss(), 1e-9);
        for (int h = 0; h < heads; h++) {
            assertEquals(ref.get("position_accuracy").get(h).asDouble(), r.positionAccuracy()[h], 1e-12);
        }
        assertEquals(ref.get("sequence_accuracy").asDouble(), r.accuracy(), 1e-12);
        if (ref.get("top5").isNull()) {
            assertNull(r.top5());
        } else {
            assertEquals(ref.get("top5").asDouble(), r.top5(), 1e-12);
        }
        for (int t = 0; t < classes; t++) {
            for (int p = 0; p < classes; p++) {
                assertEquals(ref.get("confusion").get(t).get(p).asLong(), r.confusion()[t][p]);
            }
            ClassScore s = r.perClass().get(t);
            assertEquals(ref.get("precision").get(t).asDouble(), s.precision(), 1e-12);
            assertEquals(ref.get("recall").get(t).asDouble(), s.recall(), 1e-12);
            assertEquals(ref.get("f1").get(t).asDouble(), s.f1(), 1e-12);
        }
        assertEquals(ref.get("macro_f1").asDouble(), r.macro().f1(), 1e-12);
        assertEquals(ref.get("weighted_f1").asDouble(), r.weighted().f1(), 1e-12);
    }

    private static List<String> names(int n) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add("c" + i);
        }
        return out;
    }
}
