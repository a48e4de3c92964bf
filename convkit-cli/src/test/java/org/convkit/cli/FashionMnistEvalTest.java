package org.convkit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.convkit.core.Runtime;
import org.convkit.data.Dataset;
import org.convkit.data.load.Datasets;
import org.convkit.data.ImageSource;
import org.convkit.data.OpenOptions;
import org.convkit.data.Sample;
import org.convkit.data.image.Pipeline;
import org.convkit.eval.EvalFixtures;
import org.convkit.eval.Metrics;
import org.convkit.eval.ModelInput;
import org.convkit.model.ConvNet;
import org.convkit.model.weights.Checkpoint;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `convkit eval` on the real Fashion-MNIST test set (Debian's dataset-fashion-mnist): all 10,000
 * images once (1,000 per class, as published), the same numbers as a hand-written loop over the
 * source without the loader or the evaluator.
 */
@Tag("integration")
class FashionMnistEvalTest {
    static final Path FM = Path.of("/usr/share/datasets/fashion-mnist");

    @Test
    void wholeTestSetOnceSameAsByHand(@TempDir Path tmp) throws Exception {
        org.convkit.Needs.need(Files.exists(FM.resolve("t10k-images-idx3-ubyte.gz")),
                "Debian's Fashion-MNIST (apt-get install dataset-fashion-mnist)");
        Runtime.init();
        Path ckpt = EvalFixtures.lenetCheckpoint(tmp.resolve("ckpt"), Datasets.FASHION_MNIST_CLASSES, 1, Map.of());

        long t0 = System.nanoTime();
        CliRun r = CliRun.of("eval", "--checkpoint", ckpt.toString(), "--data", FM.toString(), "--split", "test", "--json");
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertEquals(0, r.exit, r.err);
        System.out.printf("convkit eval, lenet, Fashion-MNIST test (10000 images): %.1f s%n", seconds);
        JsonNode j = new ObjectMapper().readTree(r.out).get("result");
        assertEquals(10000, j.get("samples").asInt());
        for (JsonNode c : j.get("perClass")) {
            assertEquals(1000, c.get("support").asInt(), c.toString());
        }
        assertEquals(Datasets.FASHION_MNIST_CLASSES.get(9), j.get("classes").get(9).asText());

        Dataset ds = Datasets.open(FM.toString(), OpenOptions.defaults().withAcquire(false));
        ImageSource test = ds.test();
        Pipeline pipeline = ModelInput.pipeline(Checkpoint.read(ckpt), null);
        Metrics byHand = new Metrics(Datasets.FASHION_MNIST_CLASSES);
        try (NDManager m = NDManager.newBaseManager()) {
            ConvNet net = Checkpoint.load(ckpt, m).net();
            int per = 500;
            for (int from = 0; from < test.size(); from += per) {
                int n = Math.min(per, test.size() - from);
                float[] x = new float[n * 28 * 28];
                int[] y = new int[n];
                for (int i = 0; i < n; i++) {
                    Sample s = test.get(from + i);
                    System.arraycopy(pipeline.apply(s.pixels(), null), 0, x, i * 784, 784);
                    y[i] = s.labels()[0];
                }
                try (NDManager b = m.newSubManager()) {
                    NDList out = net.forward(new ParameterStore(b, false), new NDList(b.create(x, new Shape(n, 1, 28, 28))), false);
                    byHand.add(out, y, null, null);
                }
            }
        }
        var ref = byHand.result();
        assertEquals(ref.loss(), j.get("loss").asDouble(), 1e-6);
        for (int t = 0; t < 10; t++) {
            for (int p = 0; p < 10; p++) {
                assertEquals(ref.confusion()[t][p], j.get("confusion").get(t).get(p).asLong());
            }
        }
    }
}
