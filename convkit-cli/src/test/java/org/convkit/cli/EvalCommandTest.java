package org.convkit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.convkit.core.Runtime;
import org.convkit.data.image.Pipeline;
import org.convkit.eval.EvalFixtures;
import org.convkit.eval.Metrics;
import org.convkit.eval.ModelInput;
import org.convkit.model.ConvNet;
import org.convkit.model.weights.Checkpoint;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `convkit eval` end to end on a generated ImageFolder and a saved checkpoint. */
class EvalCommandTest {
    @BeforeAll
    static void engine() {
        Runtime.init();
    }

    @Test
    void evaluatesEveryTestImageOnceAsTheNetworkScoresIt(@TempDir Path tmp) throws Exception {
        Path data = EvalFixtures.imageFolder(tmp.resolve("shapes"), "train", 2, 1);
        EvalFixtures.imageFolder(data, "test", 5, 2);
        Path ckpt = EvalFixtures.lenetCheckpoint(tmp.resolve("ckpt"), EvalFixtures.SHAPES, 1, Map.of());

        CliRun r = CliRun.of("eval", "--checkpoint", ckpt.toString(), "--data", data.toString(), "--split", "test",
                "--batch-size", "4", "--workers", "2", "--json");
        assertEquals(0, r.exit, r.err);
        JsonNode j = new ObjectMapper().readTree(r.out).get("result");
        assertEquals(15, j.get("samples").asInt());

        // the reference: each test file decoded and scored by hand, labels from its folder
        Metrics byHand = new Metrics(EvalFixtures.SHAPES);
        Pipeline pipeline = ModelInput.pipeline(Checkpoint.read(ckpt), null);
        try (NDManager m = NDManager.newBaseManager(); Stream<Path> files = Files.walk(data.resolve("test"))) {
            ConvNet net = Checkpoint.load(ckpt, m).net();
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                int label = EvalFixtures.SHAPES.indexOf(f.getParent().getFileName().toString());
                byHand.add(EvalFixtures.scoresOf(net, pipeline, f), new int[] {label}, null, null);
            }
        }
        var ref = byHand.result();
        assertEquals(ref.loss(), j.get("loss").asDouble(), 1e-5);
        assertEquals(ref.accuracy(), j.get("accuracy").asDouble(), 1e-12);
        for (int t = 0; t < 3; t++) {
            for (int p = 0; p < 3; p++) {
                assertEquals(ref.confusion()[t][p], j.get("confusion").get(t).get(p).asLong());
            }
        }

        CliRun text = CliRun.of("eval", "--checkpoint", ckpt.toString(), "--data", data.toString(), "--workers", "1");
        assertEquals(0, text.exit, text.err);
        assertTrue(text.out.contains("accuracy ") && text.out.contains("stripes") && text.out.contains("confusion matrix"),
                text.out);
        assertTrue(text.out.startsWith("checkpoint " + ckpt + " (lenet, input 1x28x28)\ndata       shapes test: "),
                text.out);
    }

    @Test
    void aRunFolderBringsItsDataAndTheBestCheckpoint(@TempDir Path tmp) throws Exception {
        Path data = EvalFixtures.imageFolder(tmp.resolve("shapes"), "train", 2, 1);
        EvalFixtures.imageFolder(data, "test", 2, 2);
        Path run = Files.createDirectories(tmp.resolve("runs/r1"));
        new ObjectMapper().writeValue(run.resolve("config.json").toFile(), Map.of("data", data.toString(), "seed", 3));
        EvalFixtures.lenetCheckpoint(run.resolve("checkpoints/best"), EvalFixtures.SHAPES, 1, Map.of());
        CliRun r = CliRun.of("eval", "--checkpoint", run.toString(), "--json", "--workers", "1");
        assertEquals(0, r.exit, r.err);
        JsonNode j = new ObjectMapper().readTree(r.out);
        assertTrue(j.get("checkpoint").asText().endsWith("best"), j.get("checkpoint").asText());
        assertEquals(6, j.get("result").get("samples").asInt());

        // data with no test split (train/ and valid/, as a photo folder often is): the validation
        // split the run reported, not "--split test: no such split"
        Path photos = EvalFixtures.imageFolder(tmp.resolve("photos"), "train", 2, 1);
        EvalFixtures.imageFolder(photos, "valid", 3, 2);
        Path run2 = Files.createDirectories(tmp.resolve("runs/r2"));
        new ObjectMapper().writeValue(run2.resolve("config.json").toFile(), Map.of("data", photos.toString(), "seed", 3));
        EvalFixtures.lenetCheckpoint(run2.resolve("checkpoints/best"), EvalFixtures.SHAPES, 1, Map.of());
        CliRun valid = CliRun.of("eval", "--checkpoint", run2.toString(), "--workers", "1");
        assertEquals(0, valid.exit, valid.err);
        assertTrue(valid.out.contains("\ndata       photos valid: ") && valid.out.contains("samples 9"), valid.out);
    }

    @Test
    void classesThatDoNotMatchAreNamed(@TempDir Path tmp) throws Exception {
        Path data = EvalFixtures.imageFolder(tmp.resolve("shapes"), "train", 2, 1);
        EvalFixtures.imageFolder(data, "test", 1, 2);
        Path ckpt = EvalFixtures.lenetCheckpoint(tmp.resolve("ckpt"), List.of("cat", "dog", "frog"), 1, Map.of());
        CliRun r = CliRun.of("eval", "--checkpoint", ckpt.toString(), "--data", data.toString(), "--workers", "1");
        assertEquals(1, r.exit);
        assertTrue(r.err.contains("[cat, dog, frog]") && r.err.contains("circle"), r.err);
        CliRun noSplit = CliRun.of("eval", "--checkpoint", ckpt.toString(), "--data", data.toString(), "--split", "dev");
        assertEquals(1, noSplit.exit);
        assertTrue(noSplit.err.contains("--split dev"), noSplit.err);
        CliRun notThere = CliRun.of("eval", "--checkpoint", tmp.resolve("nope").toString(), "--data", data.toString());
        assertEquals(1, notThere.exit);
        assertTrue(notThere.err.contains("nope"), notThere.err);
    }

    /**
     * The same network as weights from a file (--model --weights, its class names and normalization
     * given as flags) evaluates exactly as the checkpoint does; a header line says which it was.
     */
    @Test
    void importedWeightsEvaluateAsTheirCheckpoint(@TempDir Path tmp) throws Exception {
        Path data = EvalFixtures.imageFolder(tmp.resolve("shapes"), "train", 2, 1);
        EvalFixtures.imageFolder(data, "test", 4, 2);
        Path ckpt = EvalFixtures.lenetCheckpoint(tmp.resolve("ckpt"), EvalFixtures.SHAPES, 1, Map.of());
        Path file = tmp.resolve("lenet.safetensors");
        CliRun export = CliRun.of("export-weights", "--model", "lenet", "--classes", "3", "--weights", ckpt.toString(),
                "--out", file.toString());
        assertEquals(0, export.exit, export.err);
        CliRun fromCkpt = CliRun.of("eval", "--checkpoint", ckpt.toString(), "--data", data.toString(), "--json",
                "--workers", "1");
        // the fixture checkpoint records mean 0.5, std 0.25; the class count comes from the file
        CliRun imported = CliRun.of("eval", "--model", "lenet", "--weights", file.toString(), "--class-names",
                String.join(",", EvalFixtures.SHAPES), "--normalize", "mean=0.5:std=0.25", "--data", data.toString(),
                "--json", "--workers", "1");
        assertEquals(0, imported.exit, imported.err);
        JsonNode a = new ObjectMapper().readTree(fromCkpt.out).get("result");
        JsonNode b = new ObjectMapper().readTree(imported.out).get("result");
        assertEquals(a.get("accuracy").asDouble(), b.get("accuracy").asDouble(), 0);
        assertEquals(a.get("loss").asDouble(), b.get("loss").asDouble(), 1e-6);
        assertEquals(a.get("confusion"), b.get("confusion"));

        CliRun text = CliRun.of("eval", "--model", "lenet", "--weights", file.toString(), "--data", data.toString(),
                "--workers", "1");
        assertEquals(0, text.exit, text.err);
        assertTrue(text.out.startsWith("weights    " + file + " (lenet, input 1x28x28)"), text.out);
        String dataLine = text.out.lines().filter(l -> l.startsWith("data ")).findFirst().orElseThrow();
        assertTrue(dataLine.contains(data.toString()) && !dataLine.contains(file.toString()), dataLine);
        assertTrue(text.err.contains("normalization: none") && text.err.contains("classes: 3"), text.err);
    }

    /**
     * Data labelled by class index (a CSV of 0, 1, 2): --class-names names those indices, so the
     * checkpoint's classes are found in it; the result is the class-folder evaluation's.
     */
    @Test
    void classNamesNameTheDataOfACheckpoint(@TempDir Path tmp) throws Exception {
        Path data = EvalFixtures.imageFolder(tmp.resolve("shapes"), "train", 1, 1);
        EvalFixtures.imageFolder(data, "test", 3, 4);
        Path ckpt = EvalFixtures.lenetCheckpoint(tmp.resolve("ckpt"), EvalFixtures.SHAPES, 1, Map.of());
        StringBuilder csv = new StringBuilder();
        try (Stream<Path> files = Files.walk(data.resolve("test"))) {
            for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                csv.append(data.relativize(f)).append(',')
                        .append(EvalFixtures.SHAPES.indexOf(f.getParent().getFileName().toString())).append('\n');
            }
        }
        Path labels = Files.writeString(tmp.resolve("test.csv"), csv);
        CliRun byFolder = CliRun.of("eval", "--checkpoint", ckpt.toString(), "--data", data.toString(), "--json",
                "--workers", "1");
        assertEquals(0, byFolder.exit, byFolder.err);
        CliRun unnamed = CliRun.of("eval", "--checkpoint", ckpt.toString(), "--data", data.toString(), "--labels",
                labels.toString(), "--workers", "1");
        assertEquals(1, unnamed.exit, unnamed.err);
        assertTrue(unnamed.err.contains("[circle, square, stripes]") && unnamed.err.contains("[0, 1, 2]"), unnamed.err);
        CliRun named = CliRun.of("eval", "--checkpoint", ckpt.toString(), "--data", data.toString(), "--labels",
                labels.toString(), "--class-names", String.join(",", EvalFixtures.SHAPES), "--json", "--workers", "1");
        assertEquals(0, named.exit, named.err);
        JsonNode a = new ObjectMapper().readTree(byFolder.out).get("result");
        JsonNode b = new ObjectMapper().readTree(named.out).get("result");
        assertEquals(9, b.get("samples").asInt());
        assertEquals(a.get("confusion"), b.get("confusion"));
        assertEquals(a.get("loss").asDouble(), b.get("loss").asDouble(), 1e-6);
        // predict has no data to name: there a checkpoint's own names stand, and it says so
        CliRun predict = CliRun.of("predict", "--checkpoint", ckpt.toString(), "--input", data.toString(),
                "--class-names", "a,b,c");
        assertEquals(2, predict.exit, predict.err);
        assertTrue(predict.err.contains("--class-names: a checkpoint records its model, classes"), predict.err);
    }

    /** Either a checkpoint or a model with weights: anything else is a usage error (exit 2) saying what to give. */
    @Test
    void theModelIsACheckpointOrAModelWithWeights(@TempDir Path tmp) throws Exception {
        Path ckpt = EvalFixtures.lenetCheckpoint(tmp.resolve("ckpt"), EvalFixtures.SHAPES, 1, Map.of());
        String[][] cases = {
            {"--data", "x"},
            {"--model", "lenet", "--data", "x"},
            {"--weights", ckpt.toString(), "--data", "x"},
            {"--checkpoint", ckpt.toString(), "--model", "lenet", "--classes", "3", "--data", "x"}};
        String[] says = {"--checkpoint RUN_OR_DIR", "needs --weights", "needs --model", "--model, --classes:"};
        for (int i = 0; i < cases.length; i++) {
            String[] args = new String[cases[i].length + 1];
            args[0] = "eval";
            System.arraycopy(cases[i], 0, args, 1, cases[i].length);
            CliRun r = CliRun.of(args);
            assertEquals(2, r.exit, String.join(" ", args) + "\n" + r.err);
            assertTrue(r.err.contains(says[i]), r.err);
        }
    }
}
