package org.convkit.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.convkit.core.Json;
import org.convkit.report.EpochLog;
import org.convkit.report.RunFolder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real small runs made to fail as a new user's do: an absurd learning rate (the divergence guard
 * names it, backs off, and the run ends better than its worst epoch; a resumed run keeps the
 * back-off), and a run that learns nothing on unbalanced classes (no better than the largest
 * class: said in the summary and the report).
 */
class DivergenceCliTest {
    @TempDir
    static Path tmp;
    static Path runs;
    static Path shapes;

    @BeforeAll
    static void data() throws Exception {
        runs = tmp.resolve("runs");
        shapes = Cli.imageFolder(tmp.resolve("shapes"), 2, 48, 16, 3);
    }

    private static String[] train(String run, String... extra) {
        List<String> a = new java.util.ArrayList<>(List.of("train", "--data", shapes.toString(), "--model", "simplecnn",
                "--arch", "8,16", "--fc", "32", "--batch-size", "8", "--augment", "none", "--run", run));
        a.addAll(List.of(extra));
        return a.toArray(String[]::new);
    }

    private static JsonNode lastState(Path run) throws Exception {
        return Json.mapper().readTree(run.resolve("checkpoints/last/training.json").toFile()).path("train");
    }

    @Test
    void anAbsurdLearningRateIsNamedBackedOffAndTheRunEndsBetterThanItsWorstEpoch() throws Exception {
        InProcess.Result r = InProcess.convkit(runs, train("absurd", "--lr", "100", "--epochs", "5"));
        assertEquals(0, r.exit(), r.out());
        assertTrue(r.out().contains("training diverged"), r.out());
        assertTrue(r.out().contains("Backing off: back to the weights"), r.out());
        Path run = runs.resolve("absurd");
        EpochLog m = RunFolder.open(run).metrics();
        double worst = Arrays.stream(m.column("valid_acc")).min().orElseThrow();
        JsonNode eval = Json.mapper().readTree(run.resolve("eval.json").toFile());
        assertTrue(eval.path("accuracy").asDouble() > worst,
                "final " + eval.path("accuracy") + " vs worst epoch " + worst + "\n" + r.out());
        assertTrue(lastState(run).path("lrScale").asDouble() < 1, "the back-off is saved for a resume");
        double[] lr = m.column("lr");
        assertTrue(lr[lr.length - 1] < 100, "the learning rate came down: " + Arrays.toString(lr));
    }

    @Test
    void aResumedRunRepeatsTheBackOff() throws Exception {
        String[] common = {"--lr", "100", "--schedule", "constant"};
        InProcess.Result straight = InProcess.convkit(runs, train("straight", concat(common, "--epochs", "3")));
        assertEquals(0, straight.exit(), straight.out());
        InProcess.Result first = InProcess.convkit(runs, train("split", concat(common, "--epochs", "2")));
        assertEquals(0, first.exit(), first.out());
        InProcess.Result resumed = InProcess.convkit(null, "train", "--resume", runs.resolve("split").toString(),
                "--epochs", "3", "--threads", "2", "--workers", "1");
        assertEquals(0, resumed.exit(), resumed.out());
        double[] a = RunFolder.open(runs.resolve("straight")).metrics().column("lr");
        double[] b = RunFolder.open(runs.resolve("split")).metrics().column("lr");
        assertTrue(a[0] < 100 || a[1] < 100 || a[2] < 100, "the run backed off: " + Arrays.toString(a));
        assertEquals(Arrays.toString(a), Arrays.toString(b), "the same learning rates epoch by epoch");
        assertEquals(lastState(runs.resolve("straight")).path("lrScale").asDouble(),
                lastState(runs.resolve("split")).path("lrScale").asDouble(), 0);
    }

    @Test
    void aModelNoBetterThanTheLargestClassIsToldSoInTheSummaryAndTheReport() throws Exception {
        // three times as many of class0: a network that has not learned scores at most its share
        Path unbalanced = Cli.imageFolder(tmp.resolve("unbalanced"), 2, 48, 16, 4);
        for (String split : List.of("train", "test")) {
            try (Stream<Path> files = Files.list(unbalanced.resolve(split).resolve("class1"))) {
                List<Path> all = files.sorted().toList();
                for (Path f : all.subList(all.size() / 3, all.size())) {
                    Files.delete(f);
                }
            }
        }
        InProcess.Result r = InProcess.convkit(runs, "train", "--data", unbalanced.toString(), "--model", "simplecnn",
                "--arch", "8", "--fc", "", "--batch-size", "8", "--epochs", "1", "--lr", "1e-9", "--run", "unlearned");
        assertEquals(0, r.exit(), r.out());
        assertTrue(r.out().contains("is no better than always answering the largest class (class0"), r.out());
        String html = Files.readString(runs.resolve("unlearned").resolve("report.html"));
        assertTrue(html.contains("id=\"baseline\"") && html.contains("no better than always answering the largest class"),
                "the report says it too");
    }

    private static String[] concat(String[] a, String... b) {
        return Stream.concat(Arrays.stream(a), Arrays.stream(b)).toArray(String[]::new);
    }
}
