package org.convkit.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.Map;
import org.convkit.core.Json;
import org.convkit.core.RunFiles;
import org.convkit.core.Runtime;
import org.convkit.model.weights.ModelSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointEvaluationTest {
    @BeforeAll
    static void engine() {
        Runtime.init();
    }

    /** A run folder whose config.json names {@code data}, with a random LeNet as its best checkpoint. */
    private static Path run(Path dir, Path data) throws Exception {
        EvalFixtures.lenetCheckpoint(dir.resolve(RunFiles.CHECKPOINTS).resolve("best"), EvalFixtures.SHAPES, 1, Map.of());
        Json.mapper().writeValue(dir.resolve(RunFiles.CONFIG).toFile(), Map.of("data", data.toString()));
        return dir;
    }

    @Test
    void defaultOptionsPickTheSplitAsEvalDoes(@TempDir Path tmp) throws Exception {
        // the library's defaults are eval's: the test split, or valid where the data has none (a
        // folder of train/ and valid/ photos); they named "test" and failed on such a folder
        Path photos = EvalFixtures.imageFolder(tmp.resolve("photos"), "train", 2, 1);
        EvalFixtures.imageFolder(photos, "valid", 3, 2);
        CheckpointEvaluation.Outcome valid = CheckpointEvaluation.run(ModelSource.checkpoint(run(tmp.resolve("a"), photos)),
                CheckpointEvaluation.Options.defaults());
        assertEquals("valid", valid.split());
        assertEquals(9, valid.result().samples());

        Path withTest = EvalFixtures.imageFolder(tmp.resolve("with-test"), "train", 2, 1);
        EvalFixtures.imageFolder(withTest, "valid", 3, 2);
        EvalFixtures.imageFolder(withTest, "test", 4, 3);
        CheckpointEvaluation.Outcome test = CheckpointEvaluation.run(ModelSource.checkpoint(run(tmp.resolve("b"), withTest)),
                CheckpointEvaluation.Options.defaults());
        assertEquals("test", test.split());
        assertEquals(12, test.result().samples());
    }
}
