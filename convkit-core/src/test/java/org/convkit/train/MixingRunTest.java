package org.convkit.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.convkit.eval.EvalFixtures;
import org.convkit.train.run.Training;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --mixup} of a run's config reaches its training steps, and is saved with the run. */
class MixingRunTest {
    @TempDir
    Path tmp;

    private TrainConfig config(Path data, String run, double mixup) {
        return TrainConfig.fromMap(Map.ofEntries(Map.entry("data", data.toString()), Map.entry("model", "simplecnn"),
                Map.entry("arch", "8,16"), Map.entry("fc", ""), Map.entry("image-size", 32), Map.entry("epochs", 1),
                Map.entry("batch-size", 8), Map.entry("lr", 0.05), Map.entry("seed", 3L), Map.entry("mixup", mixup),
                Map.entry("runs-dir", tmp.resolve("runs").toString()), Map.entry("run", run),
                Map.entry("workers", 1)), "test");
    }

    @Test
    void theConfigsMixupTrainsOnMixedBatches() throws Exception {
        Path data = tmp.resolve("data");
        EvalFixtures.imageFolder(data, "train", 40, 1);
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        EpochResult plain = Training.run(config(data, "plain", 0), quiet).fit().last();
        EpochResult plainAgain = Training.run(config(data, "plain-again", 0), quiet).fit().last();
        EpochResult mixed = Training.run(config(data, "mixed", 0.4), quiet).fit().last();
        assertEquals(plain.trainLoss(), plainAgain.trainLoss(), 0, "a seeded run repeats");
        assertNotEquals(plain.trainLoss(), mixed.trainLoss(), "the same run with --mixup 0.4 trained on other batches");
        Map<?, ?> saved = new com.fasterxml.jackson.databind.ObjectMapper()
                .readValue(tmp.resolve("runs/mixed/config.json").toFile(), Map.class);
        assertEquals(0.4, ((Number) saved.get("mixup")).doubleValue(), 0, "config.json records it");
    }
}
