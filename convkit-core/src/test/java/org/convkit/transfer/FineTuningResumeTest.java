package org.convkit.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import org.convkit.core.ConvkitException;
import org.convkit.train.TrainConfig;
import org.convkit.train.run.Training;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code finetune --resume} reads the run's saved config where {@code train --resume} does
 * ({@link Training#savedConfig}): a folder that is not a run is refused with the same words, not
 * as if the user had given {@code --config}.
 */
class FineTuningResumeTest {
    @Test
    void aFolderWithoutConfigIsNotARunForEitherResume(@TempDir Path dir) {
        PrintStream out = new PrintStream(new ByteArrayOutputStream());
        ConvkitException fine = assertThrows(ConvkitException.class,
                () -> FineTuning.resume(dir, TrainConfig.EMPTY, out));
        ConvkitException train = assertThrows(ConvkitException.class,
                () -> Training.resume(dir, TrainConfig.EMPTY, out));
        assertTrue(fine.getMessage().startsWith("--resume " + dir + ": not a run folder"), fine.getMessage());
        assertEquals(train.getMessage(), fine.getMessage());
    }
}
