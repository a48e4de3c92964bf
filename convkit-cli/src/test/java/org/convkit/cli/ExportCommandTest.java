package org.convkit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.convkit.core.Runtime;
import org.convkit.eval.EvalFixtures;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code convkit export --format onnx} and {@code predict --engine onnx} as a user runs them. */
class ExportCommandTest {
    @BeforeAll
    static void engine() {
        Runtime.init();
    }

    /** Rows of a probs CSV: id, label, then the numbers. */
    static List<String[]> rows(Path csv) throws Exception {
        return Files.readAllLines(csv).stream().skip(1).map(l -> l.split(",")).toList();
    }

    @Test
    void exportThenPredictWithOnnxRuntimeGivesPredictsAnswers(@TempDir Path tmp) throws Exception {
        Path ckpt = EvalFixtures.lenetCheckpoint(tmp.resolve("ckpt"), EvalFixtures.SHAPES, 1, Map.of());
        Random rnd = new Random(4);
        Path in = tmp.resolve("test");
        for (int i = 0; i < 9; i++) {
            EvalFixtures.write(EvalFixtures.draw(i % 3, rnd), in.resolve(String.format("%04d.%s", i, i % 2 == 0 ? "png" : "jpg")));
        }
        Files.writeString(in.resolve("broken.png"), "nope");
        Path onnx = tmp.resolve("out/lenet.onnx");
        CliRun ex = CliRun.of("export", "--checkpoint", ckpt.toString(), "--format", "onnx", "--out", onnx.toString());
        assertEquals(0, ex.exit, ex.err);
        assertTrue(ex.out.contains("wrote " + onnx.toAbsolutePath()) && ex.out.contains("opset 17"), ex.out);
        assertTrue(ex.out.contains("scores match convkit's"), ex.out);
        assertTrue(Files.size(onnx) > 200_000, "LeNet's 61k float weights are in the file");

        Path torch = tmp.resolve("torch.csv");
        Path viaFile = tmp.resolve("onnx-file.csv");
        Path viaCheckpoint = tmp.resolve("onnx-ckpt.csv");
        assertEquals(0, CliRun.of("predict", "--engine", "torch", "--checkpoint", ckpt.toString(), "--input", in.toString(),
                "--out", torch.toString(), "--format", "probs", "--batch-size", "4").exit);
        CliRun r = CliRun.of("predict", "--engine", "onnx", "--checkpoint", onnx.toString(), "--input", in.toString(),
                "--out", viaFile.toString(), "--format", "probs", "--batch-size", "4");
        assertEquals(0, r.exit, r.err);
        assertTrue(r.err.contains("broken: "), "the unreadable file is reported as with libtorch: " + r.err);
        assertEquals(0, CliRun.of("predict", "--engine", "onnx", "--checkpoint", ckpt.toString(), "--input", in.toString(),
                "--out", viaCheckpoint.toString(), "--format", "probs").exit);
        assertEquals(Files.readAllLines(torch).get(0), Files.readAllLines(viaFile).get(0), "the same columns");
        for (Path other : List.of(viaFile, viaCheckpoint)) {
            List<String[]> a = rows(torch);
            List<String[]> b = rows(other);
            assertEquals(9, b.size());
            for (int i = 0; i < a.size(); i++) {
                assertEquals(a.get(i)[0], b.get(i)[0]);
                assertEquals(a.get(i)[1], b.get(i)[1], "same label for " + a.get(i)[0]);
                for (int j = 2; j < a.get(i).length; j++) {
                    assertEquals(Double.parseDouble(a.get(i)[j]), Double.parseDouble(b.get(i)[j]), 1e-5);
                }
            }
        }

        // one image: the top-k as with libtorch
        CliRun one = CliRun.of("predict", "--engine", "onnx", "--checkpoint", onnx.toString(), "--input",
                in.resolve("0003.jpg").toString(), "--top-k", "2");
        CliRun oneTorch = CliRun.of("predict", "--engine", "torch", "--checkpoint", ckpt.toString(), "--input",
                in.resolve("0003.jpg").toString(), "--top-k", "2");
        assertEquals(0, one.exit, one.err);
        assertEquals(oneTorch.out, one.out);
    }

    @Test
    void importedWeightsExportAndRunInOnnxRuntimeToo(@TempDir Path tmp) throws Exception {
        // PyTorch-style weights of a 3-class LeNet, as a user brings them
        org.convkit.model.ConvNet net = org.convkit.model.Zoo.create("lenet",
                org.convkit.model.ModelOptions.defaults().withInput(1, 28, 28).withClasses(3));
        Path weights = tmp.resolve("lenet.safetensors");
        try (ai.djl.ndarray.NDManager m = ai.djl.ndarray.NDManager.newBaseManager()) {
            net.initialize(m);
            org.convkit.model.weights.Weights.exportTorch(net, weights);
        }
        String names = String.join(",", EvalFixtures.SHAPES);
        Path onnx = tmp.resolve("lenet.onnx");
        CliRun ex = CliRun.of("export", "--model", "lenet", "--weights", weights.toString(), "--class-names", names,
                "--normalize", "mnist", "--out", onnx.toString());
        assertEquals(0, ex.exit, ex.err);
        Path img = EvalFixtures.write(EvalFixtures.draw(2, new Random(3)), tmp.resolve("one.png"));
        CliRun torch = CliRun.of("predict", "--engine", "torch", "--model", "lenet", "--weights", weights.toString(),
                "--class-names", names, "--normalize", "mnist", "--input", img.toString(), "--top-k", "3");
        CliRun viaFile = CliRun.of("predict", "--engine", "onnx", "--checkpoint", onnx.toString(), "--input", img.toString(),
                "--top-k", "3");
        CliRun inMemory = CliRun.of("predict", "--engine", "onnx", "--model", "lenet", "--weights", weights.toString(),
                "--class-names", names, "--normalize", "mnist", "--input", img.toString(), "--top-k", "3");
        assertEquals(0, torch.exit, torch.err);
        assertTrue(torch.out.contains("circle") && torch.out.contains("stripes"), torch.out);
        assertEquals(torch.out, viaFile.out, "the file carries the class names and the normalization");
        assertEquals(torch.out, inMemory.out);
    }

    @Test
    void badRequestsSayWhatToDo(@TempDir Path tmp) throws Exception {
        Path ckpt = EvalFixtures.lenetCheckpoint(tmp.resolve("ckpt"), EvalFixtures.SHAPES, 1, Map.of());
        Path onnx = tmp.resolve("m.onnx");
        CliRun bad = CliRun.of("export", "--checkpoint", ckpt.toString(), "--format", "tflite", "--out", onnx.toString());
        assertEquals(1, bad.exit);
        assertTrue(bad.err.contains("--format tflite"), bad.err);
        bad = CliRun.of("export", "--checkpoint", ckpt.toString(), "--opset", "9", "--out", onnx.toString());
        assertEquals(1, bad.exit);
        assertTrue(bad.err.contains("--opset 9") && bad.err.contains("13 to 23"), bad.err);
        bad = CliRun.of("export", "--checkpoint", ckpt.toString(), "--batch", "0", "--out", onnx.toString());
        assertEquals(1, bad.exit);
        assertTrue(bad.err.contains("--batch 0"), bad.err);
        assertFalse(Files.exists(onnx), "nothing written for a refused export");

        assertEquals(0, CliRun.of("export", "--checkpoint", ckpt.toString(), "--batch", "2", "--batchnorm", "keep",
                "--out", onnx.toString()).exit);
        Path img = EvalFixtures.write(EvalFixtures.draw(1, new Random(1)), tmp.resolve("one.png"));
        // libtorch does not run an ONNX file (with no --engine it runs on ONNX Runtime: AutoEngineTest)
        bad = CliRun.of("predict", "--engine", "torch", "--checkpoint", onnx.toString(), "--input", img.toString());
        assertEquals(1, bad.exit);
        assertTrue(bad.err.contains("--engine onnx"), bad.err);
        bad = CliRun.of("predict", "--engine", "tpu", "--checkpoint", onnx.toString(), "--input", img.toString());
        assertEquals(1, bad.exit);
        assertTrue(bad.err.contains("--engine tpu"), bad.err);
        Path notOnnx = Files.writeString(tmp.resolve("notes.onnx"), "hello");
        bad = CliRun.of("predict", "--engine", "onnx", "--checkpoint", notOnnx.toString(), "--input", img.toString());
        assertEquals(1, bad.exit);
        assertTrue(bad.err.contains("notes.onnx") && bad.err.contains("not an ONNX model"), bad.err);
        CliRun ok = CliRun.of("predict", "--engine", "onnx", "--checkpoint", onnx.toString(), "--input", img.toString());
        assertEquals(0, ok.exit, "a fixed-batch file runs single images: " + ok.err);
    }
}
