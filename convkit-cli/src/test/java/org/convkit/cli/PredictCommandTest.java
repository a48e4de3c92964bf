package org.convkit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
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

class PredictCommandTest {
    @BeforeAll
    static void engine() {
        Runtime.init();
    }

    @Test
    void folderToKaggleCsvAndOneFileToTopK(@TempDir Path tmp) throws Exception {
        Path ckpt = EvalFixtures.lenetCheckpoint(tmp.resolve("ckpt"), EvalFixtures.SHAPES, 1, Map.of());
        Random rnd = new Random(9);
        Path in = tmp.resolve("test");
        for (int i = 0; i < 7; i++) {
            EvalFixtures.write(EvalFixtures.draw(i % 3, rnd), in.resolve(String.format("%04d.%s", i, i % 2 == 0 ? "png" : "jpg")));
        }
        Path csv = tmp.resolve("out/submission.csv");
        CliRun r = CliRun.of("predict", "--checkpoint", ckpt.toString(), "--input", in.toString(), "--out", csv.toString(),
                "--batch-size", "3", "--workers", "2");
        assertEquals(0, r.exit, r.err);
        assertTrue(r.out.contains("wrote 7 prediction(s) to " + csv.toAbsolutePath()), r.out);
        List<String> lines = Files.readAllLines(csv);
        assertEquals("id,label", lines.get(0));
        assertEquals(8, lines.size());
        assertTrue(lines.get(1).matches("0000,(circle|square|stripes)"), lines.get(1));
        assertTrue(lines.get(7).startsWith("0006,"), lines.get(7));
        try (var files = Files.list(csv.getParent())) {
            assertEquals(1, files.count(), "no temporary file left next to the CSV");
        }

        CliRun one = CliRun.of("predict", "--checkpoint", ckpt.toString(), "--input", in.resolve("0003.jpg").toString(),
                "--top-k", "3");
        assertEquals(0, one.exit, one.err);
        String[] top = one.out.strip().split("\n");
        assertEquals(3, top.length, one.out);
        double sum = 0;
        for (String line : top) {
            assertTrue(line.matches(" *\\d+\\.\\d\\d% +(circle|square|stripes)"), line);
            sum += Double.parseDouble(line.trim().split("%")[0]);
        }
        assertEquals(100, sum, 0.05);

        CliRun bad = CliRun.of("predict", "--checkpoint", ckpt.toString(), "--input", in.toString(), "--format", "xml");
        assertEquals(2, bad.exit, "a usage error: " + bad.err);
        assertTrue(bad.err.contains("--format xml"), bad.err);
    }

    /** Weights from a file predict a folder as the checkpoint they came from does, row for row. */
    @Test
    void importedWeightsPredictAsTheirCheckpoint(@TempDir Path tmp) throws Exception {
        Path ckpt = EvalFixtures.lenetCheckpoint(tmp.resolve("ckpt"), EvalFixtures.SHAPES, 1, Map.of());
        Path file = tmp.resolve("lenet.pth.safetensors");
        assertEquals(0, CliRun.of("export-weights", "--model", "lenet", "--classes", "3", "--weights", ckpt.toString(),
                "--out", file.toString()).exit);
        Random rnd = new Random(3);
        Path in = tmp.resolve("test");
        for (int i = 0; i < 5; i++) {
            EvalFixtures.write(EvalFixtures.draw(i % 3, rnd), in.resolve(i + ".png"));
        }
        CliRun a = CliRun.of("predict", "--checkpoint", ckpt.toString(), "--input", in.toString(), "--out",
                tmp.resolve("a.csv").toString(), "--format", "probs", "--workers", "1");
        CliRun b = CliRun.of("predict", "--model", "lenet", "--weights", file.toString(), "--class-names",
                "circle,square,stripes", "--normalize", "mean=0.5:std=0.25", "--input", in.toString(), "--out",
                tmp.resolve("b.csv").toString(), "--format", "probs", "--workers", "1");
        assertEquals(0, a.exit, a.err);
        assertEquals(0, b.exit, b.err);
        assertEquals(Files.readAllLines(tmp.resolve("a.csv")), Files.readAllLines(tmp.resolve("b.csv")));
        // --class-names @FILE reaches convkit (picocli's own @-file expansion would split it into arguments)
        Path names = Files.writeString(tmp.resolve("names.txt"), "circle\nsquare\nstripes\n");
        CliRun c = CliRun.of("predict", "--model", "lenet", "--weights", file.toString(), "--class-names",
                "@" + names, "--normalize", "mean=0.5:std=0.25", "--input", in.toString(), "--out",
                tmp.resolve("c.csv").toString(), "--format", "probs", "--workers", "1");
        assertEquals(0, c.exit, c.err);
        assertEquals(Files.readAllLines(tmp.resolve("a.csv")), Files.readAllLines(tmp.resolve("c.csv")));
    }
}
