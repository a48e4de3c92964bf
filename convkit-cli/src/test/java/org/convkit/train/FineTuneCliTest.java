package org.convkit.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.convkit.model.weights.Checkpoint;
import org.convkit.report.EpochLog;
import org.convkit.report.RunFolder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code convkit finetune} and {@code convkit lr-find} as a user runs them, on small generated
 * image folders: a tiny ResNet pretrained on one task, fine-tuned on another; the run folder read
 * back (phases, freezing proof, feature cache, lr-find files).
 */
class FineTuneCliTest {
    @TempDir
    static Path tmp;
    static Path runs;
    static Path target;

    @BeforeAll
    static void pretrain() throws Exception {
        runs = tmp.resolve("runs");
        Path source = Cli.imageFolder(tmp.resolve("four"), 4, 16, 16, 1);
        target = Cli.imageFolder(tmp.resolve("two"), 2, 20, 16, 2);
        InProcess.Result r = convkit("train", "--data", source.toString(), "--model", "resnet18", "--stem", "cifar", "--width", "0.125",
                "--epochs", "1", "--batch-size", "16", "--run", "pre");
        assertEquals(0, r.exit(), r.out());
    }

    @Test
    void phasesFreezeAndUnfreezeAsAskedAndTheFrozenPartsProvablyHold() throws Exception {
        InProcess.Result r = convkit("finetune", "--from", runs.resolve("pre").toString(), "--data", target.toString(), "--epochs", "3",
                "--freeze-epochs", "1", "--unfreeze", "last:1", "--batch-size", "8", "--lr", "0.05", "--run", "ft");
        assertEquals(0, r.exit(), r.out());
        Path run = runs.resolve("ft");
        assertTrue(r.out().contains("phase 1/2 'head'") && r.out().contains("phase 2/2 'unfrozen'"), r.out());
        assertTrue(r.out().contains("(frozen: eval mode)"), "the counts table says what is frozen: " + r.out());

        EpochLog metrics = RunFolder.open(run).metrics();
        assertTrue(metrics.columns().contains("phase"), metrics.columns().toString());
        List<String> phases = Files.readAllLines(run.resolve("metrics.csv")).stream().skip(1)
                .map(l -> l.substring(l.lastIndexOf(',') + 1)).toList();
        assertEquals(List.of("head", "unfrozen", "unfrozen"), phases);

        JsonNode f = new ObjectMapper().readTree(run.resolve("freezing.json").toFile());
        JsonNode head = f.path("phases").get(0);
        JsonNode unfrozen = f.path("phases").get(1);
        assertEquals(6, head.path("frozen_stages").size(), "the whole backbone is frozen first");
        assertTrue(head.path("frozen_held").asBoolean());
        assertEquals(head.path("frozen_fingerprint_before"), head.path("frozen_fingerprint_after"));
        assertEquals("[\"layer4\",\"pool\"]", unfrozen.path("trained_stages").toString());
        assertTrue(unfrozen.path("frozen_held").asBoolean(), "stem..layer3 still frozen in phase 2");
        assertTrue(unfrozen.path("trained_changed").asBoolean(), "layer4 trained (weights and BN statistics)");
        for (JsonNode c : unfrozen.path("parameters")) {
            boolean trains = c.path("stage").asText().matches("layer4|head");
            assertEquals(trains, c.path("trainable").asLong() > 0, c.toString());
        }

        JsonNode cfg = new ObjectMapper().readTree(run.resolve("config.json").toFile());
        assertEquals("last:1", cfg.path("unfreeze").asText());
        assertEquals(0.125, cfg.path("width").asDouble(), 0, "the checkpoint's options are used");
        assertEquals(2, Checkpoint.read(run.resolve("checkpoints/best")).options().classes(), "a new head");
        String html = Files.readString(run.resolve("report.html"));
        assertTrue(html.contains("id=\"freezing\"") && html.contains("unchanged"), "the report shows the freezing proof");
    }

    @Test
    void featureModeTrainsTheHeadOnCachedFeaturesThatMatchTheImages() throws Exception {
        InProcess.Result r = convkit("finetune", "--from", runs.resolve("pre").toString(), "--data", target.toString(), "--epochs", "3",
                "--mode", "features", "--batch-size", "8", "--lr", "auto", "--run", "feat");
        assertEquals(0, r.exit(), r.out());
        Path run = runs.resolve("feat");
        assertTrue(Files.size(run.resolve("features/train.f32")) > 0);
        assertTrue(Files.exists(run.resolve("lr-find.png")), "--lr auto ran the range test");
        JsonNode cfg = new ObjectMapper().readTree(run.resolve("config.json").toFile());
        assertTrue(cfg.path("lr").isNumber(), "the found rate is saved: " + cfg);
        assertTrue(r.out().contains("--lr auto: training with lr"), r.out());
        // the best epoch's validation accuracy on cached features = the final evaluation through images
        EpochLog m = RunFolder.open(run).metrics();
        int best = m.best("valid_acc", true).orElseThrow();
        double fromCache = m.column("valid_acc")[best];
        double fromImages = new ObjectMapper().readTree(run.resolve("eval.json").toFile()).path("accuracy").asDouble();
        assertEquals(fromCache, fromImages, 1e-9);
        JsonNode f = new ObjectMapper().readTree(run.resolve("freezing.json").toFile());
        assertTrue(f.path("phases").get(0).path("frozen_held").asBoolean());
    }

    @Test
    void aFineTuningRunResumesInItsPhase() throws Exception {
        InProcess.Result first = convkit("finetune", "--from", runs.resolve("pre").toString(), "--data", target.toString(),
                "--epochs", "2", "--freeze-epochs", "1", "--batch-size", "8", "--lr", "0.05", "--run", "again");
        assertEquals(0, first.exit(), first.out());
        // the longer run asked for in a config file, as train --resume allows
        Path more = tmp.resolve("more-epochs.json");
        Files.writeString(more, "{\"epochs\": 3}");
        InProcess.Result resumed = InProcess.convkit(null, "finetune", "--resume", runs.resolve("again").toString(),
                "--config", more.toString(), "--threads", "2", "--workers", "1");
        assertEquals(0, resumed.exit(), resumed.out());
        assertTrue(resumed.out().contains("resuming after epoch 2") && !resumed.out().contains(" tensors from "),
                "the weights come from the run's checkpoint, not from --from: " + resumed.out());
        List<String> phases = Files.readAllLines(runs.resolve("again/metrics.csv")).stream().skip(1)
                .map(l -> l.substring(l.lastIndexOf(',') + 1)).toList();
        assertEquals(List.of("head", "unfrozen", "unfrozen"), phases);
    }

    /** --weights is --from, the name eval, predict and export give the file: the same key in config.json. */
    @Test
    void weightsIsTheSameOptionAsFrom() throws Exception {
        InProcess.Result r = convkit("finetune", "--weights", runs.resolve("pre").toString(), "--data", target.toString(),
                "--epochs", "1", "--batch-size", "8", "--run", "by-weights");
        assertEquals(0, r.exit(), r.out());
        JsonNode cfg = new ObjectMapper().readTree(runs.resolve("by-weights/config.json").toFile());
        assertEquals(runs.resolve("pre/checkpoints/best").toString(), cfg.path("from").asText(), cfg.toString());
        assertTrue(cfg.path("weights").isMissingNode(), cfg.toString());
    }

    /** --normalize none on colour images: the checkpoint records no normalization (one mean for 3 channels used to fail its save). */
    @Test
    void noNormalizationOnColourImagesSavesAndEvaluates() throws Exception {
        InProcess.Result r = convkit("train", "--data", target.toString(), "--model", "simplecnn", "--arch", "8", "--fc", "",
                "--epochs", "1", "--batch-size", "8", "--normalize", "none", "--run", "raw");
        assertEquals(0, r.exit(), r.out());
        Path best = runs.resolve("raw/checkpoints/best");
        assertTrue(!Checkpoint.read(best).info().hasNormalization(), "recorded as none");
        InProcess.Result eval = InProcess.convkit(null, "eval", "--checkpoint", runs.resolve("raw").toString(), "--json",
                "--workers", "1");
        assertEquals(0, eval.exit(), eval.out());
        assertTrue(eval.out().contains("\"accuracy\"") && !eval.out().contains("normalize"), eval.out());
    }

    /**
     * --precision bf16 fine-tunes in bfloat16 as train does (a child JVM started for it), where the
     * CPU has bfloat16 instructions; config.json records what the run computed in.
     */
    @Test
    @org.junit.jupiter.api.Tag("integration") // a second JVM training in bfloat16: minutes under load
    void bf16FineTunesInAChildJvmAsTrainDoes() throws Exception {
        InProcess.Result r = convkit("finetune", "--from", runs.resolve("pre").toString(), "--data", target.toString(),
                "--epochs", "1", "--batch-size", "8", "--precision", "bf16", "--run", "bf16");
        assertEquals(0, r.exit(), r.out());
        JsonNode cfg = new ObjectMapper().readTree(runs.resolve("bf16/config.json").toFile());
        // bf16 where the self-check says it computes bfloat16 here (not on a CPU without it, nor
        // where oneDNN computes float32 under the bf16 mode)
        assertEquals(org.convkit.model.engine.EngineCheck.bf16(true) ? "bf16" : "fp32", cfg.path("precision").asText(),
                cfg.toString());
    }

    @Test
    void anUnknownStageNameListsTheStages() throws Exception {
        InProcess.Result r = convkit("finetune", "--from", runs.resolve("pre").toString(), "--data", target.toString(), "--epochs", "2",
                "--unfreeze", "layer3,layr4", "--batch-size", "8", "--run", "bad");
        assertEquals(1, r.exit(), r.out());
        assertTrue(r.out().contains("no stage 'layr4'") && r.out().contains("stem, layer1, layer2, layer3, layer4, pool"), r.out());
    }

    @Test
    void lrFindWritesThePlotAndSaysTheRule() throws Exception {
        Path out = tmp.resolve("lrf");
        InProcess.Result r = convkit("lr-find", "--data", target.toString(), "--model", "simplecnn", "--arch", "8", "--fc", "",
                "--batch-size", "8", "--steps", "30", "--out", out.toString());
        assertEquals(0, r.exit(), r.out());
        // the sweep uses the optimizer train would: on photos from scratch the recipe's AdamW
        assertTrue(r.out().contains("recipe: optimizer adamw"), r.out());
        // 30 noisy steps on 40 images: either rules that agree, or no answer and AdamW's safe default, said so
        assertTrue((r.out().contains("suggested learning rate") && r.out().contains("agree (steepest"))
                || (r.out().contains("no good answer: ")
                        && r.out().contains("suggested --lr 0.00100: the safe default for adamw")), r.out());
        assertTrue(Files.size(out.resolve("lr-find.png")) > 1000);
        int rows = Files.readAllLines(out.resolve("lr-find.csv")).size() - 1;
        assertTrue(rows >= 3 && rows <= 30, rows + " steps, at most --steps");
    }

    private static InProcess.Result convkit(String... args) {
        return InProcess.convkit(args[0].equals("lr-find") ? null : runs, args);
    }
}
