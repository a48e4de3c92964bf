package org.convkit.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.GraphicsEnvironment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.convkit.data.synth.StreetNumbers;
import org.convkit.report.EpochLog;
import org.convkit.report.RunFolder;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Multi-digit street numbers end to end: a generated Tianchi-style dataset (1-4 digits drawn with
 * Java2D fonts), four heads over one backbone with a blank class, per-position and whole-sequence
 * accuracy in metrics.csv, and {@code predict} writing digit strings without blanks that agree
 * with the labels as often as the evaluation says. Learning is shown on a held-out test split:
 * whole-sequence accuracy far above chance (about 1e-4 for four digits).
 */
@Tag("integration")
class DigitSequencesIT {
    @TempDir
    Path tmp;

    @Test
    void fourHeadsLearnToReadNumbers() throws Exception {
        org.convkit.Needs.optional(GraphicsEnvironment.getLocalGraphicsEnvironment().getAvailableFontFamilyNames().length > 0,
                "no fonts installed for Java2D (apt-get install fonts-dejavu-core)");
        Path data = tmp.resolve("digits");
        StreetNumbers.write(data, 3000, 400, 500, new StreetNumbers.Options(40, 4, 10), 1);
        Path runs = tmp.resolve("runs");
        InProcess.Result r = InProcess.convkit(runs, "train", "--data", data.toString(), "--model", "simplecnn", "--arch",
                "32,64,96", "--fc", "256", "--epochs", "6", "--batch-size", "64",
                "--run", "digits");
        assertEquals(0, r.exit(), r.out());
        Path run = runs.resolve("digits");
        EpochLog m = RunFolder.open(run).metrics();
        assertTrue(m.columns().containsAll(List.of("valid_acc_pos1", "valid_acc_pos4")), m.columns().toString());
        JsonNode test = new ObjectMapper().readTree(run.resolve("test.json").toFile());
        double sequence = test.path("sequenceAccuracy").asDouble();
        System.out.printf("digit sequences: whole-sequence test accuracy %.3f, per position %s%n", sequence,
                test.path("positionAccuracy"));
        assertTrue(sequence > 0.15, "whole-sequence accuracy " + sequence + " (chance about 1e-4)");
        assertEquals(4, test.path("positionAccuracy").size());

        Path csv = tmp.resolve("predictions.csv");
        InProcess.Result p = InProcess.convkit(null, "predict", "--checkpoint", run.toString(), "--input",
                data.resolve("mchar_test").toString(), "--out", csv.toString());
        assertEquals(0, p.exit(), p.out());
        JsonNode labels = new ObjectMapper().readTree(data.resolve("mchar_test.json").toFile());
        Map<String, String> truth = new HashMap<>();
        labels.properties().forEach(e -> {
            StringBuilder sb = new StringBuilder();
            e.getValue().path("label").forEach(d -> sb.append(d.asInt()));
            truth.put(e.getKey().replace(".png", ""), sb.toString());
        });
        List<String> rows = Files.readAllLines(csv).subList(1, 501);
        int right = 0;
        for (String row : rows) {
            String[] f = row.split(",");
            assertTrue(f[1].matches("[0-9]*"), "digits without blanks: " + row);
            right += truth.get(f[0]).equals(f[1]) ? 1 : 0;
        }
        assertEquals(sequence, right / 500.0, 1e-9, "predict reads the numbers as the evaluation does");
    }
}
