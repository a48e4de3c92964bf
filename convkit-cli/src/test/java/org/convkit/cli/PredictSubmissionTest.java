package org.convkit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.convkit.data.TestImages;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code predict --submission}: the files Kaggle's Dogs vs Cats and Tianchi's street numbers take,
 * from tiny trained models on their dataset layouts; the values checked against predict's own
 * {@code --format probs} and {@code label} CSVs.
 */
class PredictSubmissionTest {
    @TempDir
    Path dir;

    private static final List<String> SMALL = List.of("--model", "simplecnn", "--arch", "4", "--fc", "", "--epochs", "1",
            "--batch-size", "4", "--threads", "1", "--workers", "1");

    private CliRun train(String... args) {
        List<String> all = new ArrayList<>(List.of("train"));
        all.addAll(List.of(args));
        all.addAll(SMALL);
        all.addAll(List.of("--runs-dir", dir.resolve("runs").toString()));
        return CliRun.of(all.toArray(String[]::new));
    }

    private static Map<String, String> column(Path csv, int col) throws Exception {
        Map<String, String> m = new HashMap<>();
        for (String line : Files.readAllLines(csv).subList(1, Files.readAllLines(csv).size())) {
            String[] f = line.split(",");
            m.put(f[0], f[col]);
        }
        return m;
    }

    @Test
    void kaggleDogsVsCats() throws Exception {
        Path root = dir.resolve("redux");
        for (int i = 0; i < 5; i++) {
            TestImages.write(root.resolve("train/cat." + i + ".jpg"), 16, 16, i);
            TestImages.write(root.resolve("train/dog." + i + ".jpg"), 16, 16, 10 + i);
        }
        for (int id : List.of(1, 2, 10, 11, 100)) {
            TestImages.write(root.resolve("test/" + id + ".jpg"), 16, 16, 100 + id);
        }
        CliRun t = train("--data", root.toString(), "--labels-from", "class.N.ext", "--run", "redux");
        assertEquals(0, t.exit, t.out + t.err);
        Path sub = dir.resolve("submission.csv");
        CliRun p = CliRun.of("predict", "--checkpoint", dir.resolve("runs/redux").toString(), "--input", root.toString(),
                "--submission", "kaggle-dogs-vs-cats", "--out", sub.toString());
        assertEquals(0, p.exit, p.err);
        List<String> lines = Files.readAllLines(sub);
        assertEquals("id,label", lines.get(0));
        assertEquals(List.of("1", "2", "10", "11", "100"), lines.subList(1, 6).stream().map(l -> l.split(",")[0]).toList(),
                "numeric id order, as the sample submission");
        Path probs = dir.resolve("probs.csv");
        CliRun q = CliRun.of("predict", "--checkpoint", dir.resolve("runs/redux").toString(), "--input", root.resolve("test").toString(),
                "--format", "probs", "--out", probs.toString());
        assertEquals(0, q.exit, q.err);
        assertEquals("id,label,prob,cat,dog", Files.readAllLines(probs).get(0));
        Map<String, String> dog = column(probs, 4);
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(",");
            assertEquals(Double.parseDouble(dog.get(f[0])), Double.parseDouble(f[1]), 1e-6, "P(dog) of " + f[0]);
        }
        CliRun one = CliRun.of("predict", "--checkpoint", dir.resolve("runs/redux").toString(), "--input",
                root.resolve("test/1.jpg").toString(), "--submission", "kaggle-dogs-vs-cats");
        assertEquals(2, one.exit);
        CliRun bad = CliRun.of("predict", "--checkpoint", dir.resolve("runs/redux").toString(), "--input", root.toString(),
                "--submission", "tianchi-svhn", "--out", dir.resolve("x.csv").toString());
        assertEquals(1, bad.exit);
        assertTrue(bad.err.contains("needs digit classes"), bad.err);
        CliRun unknown = CliRun.of("predict", "--checkpoint", dir.resolve("runs/redux").toString(), "--input", root.toString(),
                "--submission", "kaggle", "--out", dir.resolve("y.csv").toString());
        assertEquals(2, unknown.exit, "a usage error: " + unknown.err);
        assertTrue(Files.notExists(dir.resolve("y.csv")));
        assertTrue(unknown.err.contains("expected one of kaggle-dogs-vs-cats, tianchi-svhn, id-label"), unknown.err);
        CliRun idLabel = CliRun.of("predict", "--checkpoint", dir.resolve("runs/redux").toString(), "--input", root.toString(),
                "--submission", "id-label", "--out", dir.resolve("id-label.csv").toString());
        assertEquals(0, idLabel.exit, idLabel.err);
        Map<String, String> label = column(probs, 1);
        List<String> rows = Files.readAllLines(dir.resolve("id-label.csv"));
        assertEquals("id,label", rows.get(0));
        assertEquals("100," + label.get("100"), rows.get(5));
    }

    @Test
    void tianchiStreetNumbers() throws Exception {
        Path root = dir.resolve("tianchi");
        CliRun s = CliRun.of("data", "synth-digits", root.toString(), "--train", "24", "--valid", "6", "--test", "0",
                "--size", "16", "--max-digits", "2");
        assertEquals(0, s.exit, s.err);
        // Tianchi's test set comes without labels: a flat folder beside the labeled ones
        Files.createDirectories(root.resolve("mchar_test_a"));
        try (Stream<Path> files = Files.list(root.resolve("mchar_val"))) {
            for (Path f : files.toList()) {
                Files.copy(f, root.resolve("mchar_test_a").resolve(f.getFileName()));
            }
        }
        CliRun t = train("--data", root.toString(), "--run", "digits");
        assertEquals(0, t.exit, t.out + t.err);
        Path sub = dir.resolve("tianchi.csv");
        CliRun p = CliRun.of("predict", "--checkpoint", dir.resolve("runs/digits").toString(), "--input", root.toString(),
                "--submission", "tianchi-svhn", "--out", sub.toString());
        assertEquals(0, p.exit, p.err);
        assertTrue(p.err.contains("predicting " + root.resolve("mchar_test_a")), p.err);
        List<String> lines = Files.readAllLines(sub);
        assertEquals("file_name,file_code", lines.get(0));
        assertEquals(7, lines.size());
        Path plain = dir.resolve("plain.csv");
        CliRun q = CliRun.of("predict", "--checkpoint", dir.resolve("runs/digits").toString(), "--input",
                root.resolve("mchar_test_a").toString(), "--out", plain.toString());
        assertEquals(0, q.exit, q.err);
        Map<String, String> label = column(plain, 1);
        List<String> names = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(",", -1);
            assertTrue(f[0].endsWith(".png"), "file names with their extension: " + f[0]);
            assertEquals(label.get(f[0].replace(".png", "")), f[1]);
            names.add(f[0]);
        }
        assertEquals(names.stream().sorted().toList(), names, "file-name order");
        CliRun dogs = CliRun.of("predict", "--checkpoint", dir.resolve("runs/digits").toString(), "--input", root.toString(),
                "--submission", "kaggle-dogs-vs-cats", "--out", dir.resolve("z.csv").toString());
        assertEquals(1, dogs.exit);
        assertTrue(dogs.err.contains("needs a class named dog"), dogs.err);
    }
}
