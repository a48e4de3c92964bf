package org.convkit.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.convkit.core.RunFiles;
import org.convkit.model.weights.Checkpoint;
import org.convkit.model.weights.ModelInfo;
import org.convkit.report.EpochLog;
import org.convkit.report.RunFolder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `convkit train` as a user runs it, on a small generated ImageFolder; the run folder read back. */
class TrainCliTest {
    @Test
    void trainsAndWritesTheRunFolder(@TempDir Path tmp) throws Exception {
        Path data = Cli.imageFolder(tmp.resolve("shapes"), 4, 24, 16, 1);
        // one damaged image: skipped, and listed exactly once
        Files.write(data.resolve("train/class0/broken.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10, 0, 0});
        Path config = tmp.resolve("config.json");
        Files.writeString(config, "{\"epochs\": 3, \"batch-size\": 8, \"lr\": 0.05}");
        Path log = tmp.resolve("log.txt");
        int code = Cli.run(log, "train", "--data", data.toString(), "--model", "simplecnn", "--arch", "8,16", "--fc", "",
                "--config", config.toString(), "--epochs", "2", "--runs-dir", tmp.resolve("runs").toString(), "--run", "e2e",
                "--workers", "1", "--threads", "1", "--seed", "3");
        String out = Cli.read(log);
        assertEquals(0, code, out);
        Path run = tmp.resolve("runs").resolve("e2e");

        JsonNode cfg = new ObjectMapper().readTree(run.resolve("config.json").toFile());
        assertEquals(2, cfg.get("epochs").asInt(), "the flag wins over the config file");
        assertEquals(8, cfg.get("batch-size").asInt(), "the config file's value");
        assertEquals(0.05, cfg.get("lr").asDouble(), 0, "the config file's value");
        assertEquals("onecycle", cfg.get("schedule").asText(), "defaults are resolved and saved");
        assertEquals(16, cfg.get("image-size").asInt(), "the data's own size");
        assertTrue(TrainConfig.keys().containsAll(iterable(cfg)), "config.json keys are flag names: " + cfg);

        EpochLog metrics = RunFolder.open(run).metrics();
        assertEquals(2, metrics.size());
        assertEquals(List.of("epoch", "train_loss", "train_acc", "valid_loss", "valid_acc", "lr", "seconds", "data_wait"),
                metrics.columns().subList(0, 8), "the run-folder contract's columns first");
        assertTrue(metrics.has("valid_acc"));
        assertEquals(2, Files.readAllLines(run.resolve("metrics.jsonl")).size());
        assertTrue(Checkpoint.exists(run.resolve("checkpoints/last")));
        assertTrue(Checkpoint.exists(run.resolve("checkpoints/best")));
        assertEquals(4, Checkpoint.read(run.resolve("checkpoints/best")).info().classes().size());
        assertTrue(Files.exists(run.resolve("report.html")), "report written");
        assertTrue(Files.exists(run.resolve("test.json")), "test evaluation written");
        List<String> skipped = Files.readAllLines(run.resolve(RunFiles.SKIPPED));
        assertEquals(2, skipped.size(), "a header and one row: " + skipped);
        assertTrue(skipped.get(1).contains("broken"), skipped.toString());
        assertTrue(out.contains("epoch 2/2  train loss"), out);
        assertTrue(out.contains("test accuracy"), out);
        assertTrue(out.contains("report: " + run.resolve("report.html")), out);
    }

    /**
     * resnet9 trains from the command line (a residual sum and the concatenated global max and
     * average pools in backward, its options into the checkpoint): a narrow one with the stride-2
     * stem, two short epochs, on a folder of train/ and valid/ only, whose summary line says the
     * validation figure was chosen on the images it is measured on.
     */
    @Test
    void trainsResNet9(@TempDir Path tmp) throws Exception {
        Path data = Cli.imageFolder(tmp.resolve("shapes"), 3, 16, 32, 5);
        Files.move(data.resolve("test"), data.resolve("valid"));
        Path log = tmp.resolve("log.txt");
        int code = Cli.run(log, "train", "--data", data.toString(), "--model", "resnet9", "--width", "0.125",
                "--stem", "stride2", "--pool", "concat", "--epochs", "2", "--batch-size", "8", "--runs-dir", tmp.resolve("runs").toString(),
                "--run", "r9", "--workers", "1", "--threads", "1", "--seed", "3");
        String out = Cli.read(log);
        assertEquals(0, code, out);
        Path run = tmp.resolve("runs").resolve("r9");
        double[] loss = RunFolder.open(run).metrics().column("train_loss");
        assertEquals(2, loss.length);
        assertTrue(Double.isFinite(loss[0]) && Double.isFinite(loss[1]) && loss[0] > 0, java.util.Arrays.toString(loss));
        Checkpoint.Manifest best = Checkpoint.read(run.resolve("checkpoints/best"));
        assertEquals("resnet9", best.architecture());
        assertEquals("stride2", best.options().stem());
        assertEquals("concat", best.options().pool());
        double[] validAcc = RunFolder.open(run).metrics().column("valid_acc");
        int bestEpoch = validAcc[1] > validAcc[0] ? 2 : 1; // a later epoch must score strictly higher
        assertTrue(out.contains("valid accuracy ") && out.contains("(12 images, best epoch " + bestEpoch
                + ", chosen on these same images: a little optimistic; a test split gives an unbiased figure)"), out);
        assertEquals(0.125, best.options().widthMultiplier());
        assertEquals(3, best.options().classes());
    }

    /**
     * A real --monitor valid_loss run: report.html's summary names valid_loss and the epoch
     * checkpoints/best says it is from (the evaluation the page shows), never a "best valid_acc".
     */
    @Test
    void theReportOfALossMonitoredRunNamesTheLossAndTheBestCheckpointsEpoch(@TempDir Path tmp) throws Exception {
        Path data = Cli.imageFolder(tmp.resolve("shapes"), 3, 16, 16, 4);
        Path log = tmp.resolve("log.txt");
        int code = Cli.run(log, "train", "--data", data.toString(), "--model", "simplecnn", "--arch", "8", "--fc", "",
                "--epochs", "3", "--batch-size", "8", "--monitor", "valid_loss", "--runs-dir", tmp.resolve("runs").toString(),
                "--run", "loss", "--workers", "1", "--threads", "1", "--seed", "3");
        String out = Cli.read(log);
        assertEquals(0, code, out);
        Path run = tmp.resolve("runs").resolve("loss");
        int epoch = ((Number) Checkpoint.read(run.resolve("checkpoints/best")).info().extra().get(ModelInfo.EPOCH)).intValue();
        EpochLog metrics = RunFolder.open(run).metrics();
        assertEquals(metrics.best("valid_loss", false).getAsInt() + 1, epoch, "best = the lowest validation loss");
        String html = Files.readString(run.resolve("report.html"));
        String loss = String.format(java.util.Locale.ROOT, "%.4f", metrics.column("valid_loss")[epoch - 1]);
        assertTrue(html.contains("best valid_loss " + loss + " at epoch " + epoch + " (--monitor valid_loss)"), html);
        assertFalse(html.contains("best valid_acc"), html);
    }

    @Test
    void unknownConfigKeyIsNamed(@TempDir Path tmp) throws Exception {
        Path config = tmp.resolve("bad.json");
        Files.writeString(config, "{\"batchsize\": 8}");
        Path log = tmp.resolve("log.txt");
        int code = Cli.run(log, "train", "--config", config.toString(), "--data", tmp.toString());
        String out = Cli.read(log);
        assertEquals(1, code, out);
        assertTrue(out.contains("unknown key 'batchsize'") && out.contains("batch-size"), out);
    }

    private static List<String> iterable(JsonNode n) {
        List<String> keys = new java.util.ArrayList<>();
        n.fieldNames().forEachRemaining(keys::add);
        return keys;
    }
}
