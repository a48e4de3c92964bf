package org.convkit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.convkit.data.TestImages;
import org.convkit.model.weights.Checkpoint;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The data options (--labels-from, --labels, --images, --class-names, --no-download, --transforms,
 * --eval-transforms) on train, finetune, lr-find, eval and predict, each shown to reach what the
 * command reads: tiny networks on a Kaggle-style root (labels in file names, a flat test1/) and on
 * a folder labeled by a CSV.
 */
class DataOptionsOnEveryCommandTest {
    @TempDir
    static Path dir;

    static Path kaggle;
    static Path pics;
    static Path csv;
    static Path run;

    private static final List<String> SMALL = List.of("--model", "simplecnn", "--arch", "4", "--fc", "", "--epochs", "1",
            "--batch-size", "4", "--threads", "1", "--workers", "1");

    @BeforeAll
    static void data() throws Exception {
        kaggle = dir.resolve("dogs-vs-cats");
        for (int i = 0; i < 6; i++) {
            TestImages.write(kaggle.resolve("train/cat." + i + ".jpg"), 20, 16, i);
            TestImages.write(kaggle.resolve("train/dog." + i + ".jpg"), 16, 20, 10 + i);
        }
        TestImages.write(kaggle.resolve("test1/1.jpg"), 16, 16, 30);
        TestImages.write(kaggle.resolve("test1/2.PNG"), 16, 16, 31);
        TestImages.write(kaggle.resolve("test1/my pet.jpg"), 16, 16, 32);
        pics = dir.resolve("pics");
        StringBuilder rows = new StringBuilder("file,label\n");
        for (int i = 0; i < 8; i++) {
            TestImages.write(pics.resolve("img " + i + ".png"), 16, 16, 40 + i);
            rows.append("img ").append(i).append(".png,").append(i % 2 == 0 ? "cat" : "dog").append('\n');
        }
        csv = Files.writeString(dir.resolve("labels.csv"), rows.toString());
        run = dir.resolve("runs/kaggle");
        CliRun t = train("--data", kaggle.toString(), "--labels-from", "class.N.ext",
                "--transforms", "resize=12x12,hflip", "--eval-transforms", "resize=12x12", "--image-size", "12",
                "--no-download", "--run", "kaggle");
        assertEquals(0, t.exit, t.out + t.err);
        CliRun c = train("--data", dir.toString(), "--labels", csv.toString(), "--images", pics.toString(),
                "--class-names", "dog,cat", "--run", "csv");
        assertEquals(0, c.exit, c.out + c.err);
    }

    private static CliRun train(String... args) {
        List<String> all = new ArrayList<>(List.of("train"));
        all.addAll(List.of(args));
        all.addAll(SMALL);
        all.addAll(List.of("--runs-dir", dir.resolve("runs").toString()));
        return CliRun.of(all.toArray(String[]::new));
    }

    @Test
    void trainKeepsEveryDataOptionInItsConfigAndCheckpoint() throws Exception {
        JsonNode cfg = new ObjectMapper().readTree(run.resolve("config.json").toFile());
        assertEquals("class.N.ext", cfg.get("labels-from").asText());
        assertEquals("resize=12x12,hflip", cfg.get("transforms").asText());
        assertEquals("resize=12x12", cfg.get("eval-transforms").asText());
        assertTrue(cfg.get("no-download").asBoolean());
        assertEquals(List.of("cat", "dog"), Checkpoint.read(run.resolve("checkpoints/last")).info().classes());
    }

    @Test
    void trainWithLabelsAndImages() throws Exception {
        assertEquals(List.of("dog", "cat"), Checkpoint.read(dir.resolve("runs/csv/checkpoints/last")).info().classes(),
                "--class-names orders the classes");
        assertEquals("dog,cat", new ObjectMapper().readTree(dir.resolve("runs/csv/config.json").toFile()).get("class-names").asText());
        CliRun missing = train("--data", dir.toString(), "--labels", dir.resolve("nope.csv").toString(), "--run", "x");
        assertEquals(1, missing.exit);
        assertTrue(missing.err.contains("--labels " + dir.resolve("nope.csv") + ": no such file"), missing.err);
    }

    @Test
    void evalReopensTheRunsDataOrTakesItsOwnOptions() throws Exception {
        CliRun own = CliRun.of("eval", "--checkpoint", run.toString(), "--split", "valid", "--workers", "1");
        assertEquals(0, own.exit, own.err);
        assertTrue(own.out.contains("transforms resize=12x12"), "the run's --eval-transforms: " + own.out);
        CliRun given = CliRun.of("eval", "--checkpoint", run.toString(), "--data", dir.toString(), "--labels", csv.toString(),
                "--images", pics.toString(), "--split", "train", "--workers", "1", "--no-download");
        assertEquals(0, given.exit, given.err);
        assertTrue(given.out.contains("labels " + csv), given.out);
        CliRun byName = CliRun.of("eval", "--checkpoint", run.toString(), "--data", kaggle.toString(), "--labels-from",
                "^(cat|dog)\\.", "--split", "valid", "--workers", "1");
        assertEquals(0, byName.exit, byName.err);
        CliRun other = CliRun.of("eval", "--checkpoint", dir.resolve("runs/csv").toString(), "--data", kaggle.toString(),
                "--labels-from", "class.N.ext", "--split", "train", "--workers", "1");
        assertEquals(1, other.exit, "the data's classes cat,dog are not the model's dog,cat: " + other.out);
        assertTrue(other.err.contains("the model's classes are [dog, cat]"), other.err);
    }

    @Test
    void lrFindAndFinetuneReadTheSameData() throws Exception {
        CliRun none = CliRun.of("lr-find", "--data", kaggle.toString(), "--steps", "5", "--out", dir.resolve("lr0").toString());
        assertEquals(1, none.exit);
        assertTrue(none.err.contains("--labels-from class.N.ext"), none.err);
        List<String> lr = new ArrayList<>(List.of("lr-find", "--data", kaggle.toString(), "--labels-from", "class.N.ext",
                "--class-names", "dog,cat", "--transforms", "resize=12x12", "--eval-transforms", "resize=12x12",
                "--image-size", "12", "--no-download", "--steps", "5", "--out", dir.resolve("lr").toString()));
        lr.addAll(SMALL);
        CliRun found = CliRun.of(lr.toArray(String[]::new));
        assertEquals(0, found.exit, found.out + found.err);
        assertTrue(found.out.contains("suggested --lr"), found.out);
        List<String> ft = new ArrayList<>(List.of("finetune", "--from", run.toString(), "--data", dir.toString(), "--labels",
                csv.toString(), "--images", pics.toString(), "--class-names", "dog,cat", "--transforms", "resize=12x12",
                "--eval-transforms", "resize=12x12", "--image-size", "12", "--no-download", "--run", "ft", "--runs-dir", dir.resolve("runs").toString()));
        ft.addAll(SMALL.subList(6, SMALL.size()));
        CliRun tuned = CliRun.of(ft.toArray(String[]::new));
        assertEquals(0, tuned.exit, tuned.out + tuned.err);
        assertEquals(List.of("dog", "cat"), Checkpoint.read(dir.resolve("runs/ft/checkpoints/last")).info().classes());
    }

    @Test
    void predictOfADatasetRootReadsItsFlatTestFolder() throws Exception {
        Path out = dir.resolve("pred.csv");
        CliRun p = CliRun.of("predict", "--checkpoint", run.toString(), "--input", kaggle.toString(), "--out", out.toString());
        assertEquals(0, p.exit, p.err);
        assertTrue(p.err.contains("predicting " + kaggle.resolve("test1")), p.err);
        List<String> lines = Files.readAllLines(out);
        assertEquals(4, lines.size(), "a header and test1/'s three images, no train/ image: " + lines);
        assertTrue(lines.get(3).startsWith("\"my pet\","), lines.toString());
    }
}
