package org.convkit.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;
import org.convkit.data.Sample;
import org.convkit.eval.ImagePrediction;
import org.convkit.eval.ModelCard;
import org.convkit.eval.Prediction;
import org.convkit.eval.PredictionWriter;
import org.convkit.eval.Softmax;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An ONNX Runtime deployment needs no libtorch: this class runs (surefire execution
 * {@code no-libtorch}) with DJL's native PyTorch artifacts ({@code pytorch-native-cpu}, {@code
 * pytorch-jni}) left off the class path, and predicts single images and a folder through the same
 * API and the same CSV writer as {@code convkit predict}. The model is a small graph written here
 * with convkit's own ONNX messages (making one from a network would need libtorch): flatten, then
 * one linear layer, whose scores the test also computes by hand.
 */
@Tag("no-libtorch")
class NoLibtorchTest {
    static final List<String> CLASSES = List.of("dark", "mid", "light");

    @Test
    void predictsWithoutLibtorchOnTheClassPath(@TempDir Path tmp) throws Exception {
        assertNull(getClass().getClassLoader().getResource("pytorch/cpu/linux-x86_64/libtorch_cpu.so"),
                "pytorch-native-cpu must not be on this test's class path");
        assertNull(getClass().getClassLoader().getResource("jnilib/pytorch.properties"),
                "pytorch-jni must not be on this test's class path");

        // a linear classifier over a 1x8x8 image: scores = W * normalized pixels + b
        Random rnd = new Random(11);
        float[] w = new float[3 * 64];
        float[] b = {0.1f, -0.2f, 0.05f};
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) rnd.nextGaussian();
        }
        ModelCard card = new ModelCard("linear", "linear", CLASSES, 1, 1, 8, 8, new float[] {0.5f}, new float[] {0.25f},
                "resize=8x8", w.length + b.length, "", "dev");
        OnnxGraph g = new OnnxGraph();
        g.reserve(OnnxExport.INPUT);
        g.reserve("logits");
        String flat = g.node("Flatten", "flatten", new java.util.LinkedHashMap<>(java.util.Map.of("axis", 1L)), OnnxExport.INPUT);
        String logits = g.node("Gemm", "fc", new java.util.LinkedHashMap<>(java.util.Map.of("transB", 1L)), flat,
                g.constant("fc.weight", new long[] {3, 64}, w), g.constant("fc.bias", new long[] {3}, b));
        Path file = tmp.resolve("linear.onnx");
        Files.write(file, OnnxExport.model(g, List.of(logits), card, OnnxExport.Options.defaults()).toByteArray());

        Path folder = tmp.resolve("images");
        Files.createDirectories(folder);
        List<Sample> samples = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            BufferedImage img = new BufferedImage(12, 10, BufferedImage.TYPE_BYTE_GRAY);
            for (int y = 0; y < 10; y++) {
                for (int x = 0; x < 12; x++) {
                    img.getRaster().setSample(x, y, 0, rnd.nextInt(256));
                }
            }
            Path f = folder.resolve(String.format("img%02d.png", i));
            ImageIO.write(img, "png", f.toFile());
            samples.add(Sample.encoded("img" + String.format("%02d", i), Files.readAllBytes(f)));
        }
        Files.writeString(folder.resolve("zz_broken.png"), "not an image");

        try (OnnxClassifier onnx = OnnxClassifier.open(file, new OnnxClassifier.Options(null, 4, 0))) {
            assertEquals(card, onnx.card());
            List<ImagePrediction> answers = onnx.predict(samples, 3);
            for (int i = 0; i < samples.size(); i++) {
                // by hand: the same preprocessing, then the linear layer in double precision
                float[] x = onnx.preprocessor().tensor(samples.get(i));
                float[] scores = new float[3];
                for (int c = 0; c < 3; c++) {
                    double s = b[c];
                    for (int j = 0; j < 64; j++) {
                        s += (double) w[c * 64 + j] * x[j];
                    }
                    scores[c] = (float) s;
                }
                double[] p = Softmax.of(scores, 0, 3);
                ImagePrediction a = answers.get(i);
                assertEquals(CLASSES.get(Softmax.argmax(p)), a.label(), a.toString());
                assertEquals(p[Softmax.argmax(p)], a.probability(), 1e-5);
            }

            // a folder through convkit predict's streaming path and CSV writer
            StringWriter csv = new StringWriter();
            Prediction.Outcome out = Prediction.run(onnx, folder, csv,
                    new Prediction.Options(3, "cpu", null, PredictionWriter.Format.LABEL, 1, 2));
            assertEquals(7, out.rows());
            assertEquals(1, out.skipped().size());
            List<String> lines = csv.toString().lines().toList();
            assertEquals("id,label", lines.get(0));
            for (int i = 0; i < 7; i++) {
                assertEquals(samples.get(i).id() + "," + answers.get(i).label(), lines.get(i + 1));
            }
        }
        assertFalse(Files.exists(tmp.resolve("engine-cache")));
        assertTrue(Files.size(file) > 0);
    }
}
