package org.convkit.train;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.convkit.core.ConvkitException;
import org.convkit.train.run.Training;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A device this machine cannot use is refused first: before data is read or a run folder made. */
class TrainingDeviceTest {
    @TempDir
    Path tmp;

    @Test
    void badDeviceFailsBeforeTheDataAndTheRunFolder() {
        TrainConfig c = TrainConfig.fromMap(Map.of("data", tmp.resolve("no-such-data").toString(), "device", "cuda:7",
                "runs-dir", tmp.resolve("runs").toString(), "run", "r"), "test");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ConvkitException e = assertThrows(ConvkitException.class,
                () -> Training.run(c, new PrintStream(out, true, StandardCharsets.UTF_8)));
        assertTrue(e.getMessage().startsWith("--device cuda:7"), e.getMessage());
        assertFalse(Files.exists(tmp.resolve("runs")), "no run folder");
        assertFalse(out.toString(StandardCharsets.UTF_8).contains("model"), out.toString(StandardCharsets.UTF_8));
    }
}
