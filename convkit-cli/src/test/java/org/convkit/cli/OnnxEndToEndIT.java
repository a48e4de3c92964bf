package org.convkit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.convkit.data.Dataset;
import org.convkit.data.load.Datasets;
import org.convkit.data.ImageSource;
import org.convkit.data.OpenOptions;
import org.convkit.data.image.Pixels;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ONNX path end to end, as a user takes it: train the main job's model briefly on
 * Fashion-MNIST, export it, and predict a folder of test images with ONNX Runtime: the same labels
 * as {@code convkit predict --engine torch} on libtorch; so has the default engine (auto: ONNX
 * Runtime here where it passed its self-check) on the run folder.
 */
@Tag("integration")
class OnnxEndToEndIT {
    static final Path FM = Path.of("/usr/share/datasets/fashion-mnist");

    @Test
    void trainExportPredictWithOnnxRuntime(@TempDir Path tmp) throws Exception {
        if (!Files.exists(FM.resolve("t10k-images-idx3-ubyte.gz"))) {
            String why = "needs Debian's Fashion-MNIST: apt-get install dataset-fashion-mnist";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                Assertions.fail(why + " (CI=true: .ci/run installs it)");
            }
            Assumptions.abort(why);
        }
        CliRun train = CliRun.of("train", "--data", FM.toString(), "--epochs", "1", "--runs-dir", tmp.toString(), "--run", "fm");
        assertEquals(0, train.exit, train.err);
        Path run = tmp.resolve("fm");

        Dataset ds = Datasets.open(FM.toString(), OpenOptions.defaults().withAcquire(false));
        ImageSource test = ds.test();
        Path images = tmp.resolve("images");
        Files.createDirectories(images);
        for (int i = 0; i < 300; i++) {
            ImageIO.write(Pixels.toBufferedImage(test.get(i).pixels()), "png", images.resolve(String.format("%05d.png", i)).toFile());
        }
        Path onnx = tmp.resolve("fm.onnx");
        CliRun export = CliRun.of("export", "--checkpoint", run.toString(), "--out", onnx.toString());
        assertEquals(0, export.exit, export.err);

        Path torchCsv = tmp.resolve("torch.csv");
        Path onnxCsv = tmp.resolve("onnx.csv");
        assertEquals(0, CliRun.of("predict", "--engine", "torch", "--checkpoint", run.toString(), "--input",
                images.toString(), "--out", torchCsv.toString()).exit);
        Path autoCsv = tmp.resolve("auto.csv");
        assertEquals(0, CliRun.of("predict", "--checkpoint", run.toString(), "--input", images.toString(), "--out",
                autoCsv.toString()).exit);
        assertEquals(0, CliRun.of("predict", "--engine", "onnx", "--checkpoint", onnx.toString(), "--input", images.toString(),
                "--out", onnxCsv.toString()).exit);
        List<String> a = Files.readAllLines(torchCsv);
        List<String> b = Files.readAllLines(onnxCsv);
        assertEquals(301, a.size());
        assertEquals(a, b, "the same labels for every image");
        assertEquals(a, Files.readAllLines(autoCsv), "the default engine: the same labels");
        long right = 0;
        for (int i = 0; i < 300; i++) {
            right += a.get(i + 1).endsWith("," + ds.classes().get(test.labels(i)[0])) ? 1 : 0;
        }
        assertTrue(right > 200, "a model trained for an epoch labels most images right: " + right + "/300");
    }
}
