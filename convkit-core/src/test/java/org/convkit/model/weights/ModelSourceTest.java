package org.convkit.model.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.convkit.core.ConvkitException;
import org.convkit.core.Runtime;
import org.convkit.model.ConvNet;
import org.convkit.model.ModelOptions;
import org.convkit.model.Zoo;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The one "which model" concept: checkpoints and run folders, and weights from a file. */
class ModelSourceTest {
    static final List<String> CLASSES = List.of("a", "b", "c");

    @BeforeAll
    static void engine() {
        Runtime.init();
    }

    static ConvNet lenet(int channels, int classes) {
        return Zoo.create("lenet", ModelOptions.defaults().withInput(channels, 28, 28).withClasses(classes));
    }

    static Path save(Path dir, int classes, long seed) {
        try (NDManager m = NDManager.newBaseManager()) {
            m.getEngine().setRandomSeed((int) seed);
            ConvNet net = lenet(1, classes).initialize(m);
            Checkpoint.save(dir, net, ModelInfo.of(CLASSES.subList(0, classes), new float[] {0.5f}, new float[] {0.2f}),
                    null);
        }
        return dir;
    }

    @Test
    void aRunFolderStandsForItsBestCheckpointElseItsLast(@TempDir Path tmp) {
        Path run = tmp.resolve("runs/r");
        save(run.resolve("checkpoints/last"), 3, 1);
        ModelSource last = ModelSource.checkpoint(run);
        assertEquals(run.resolve("checkpoints/last"), last.checkpointDir().orElseThrow());
        assertEquals(run, last.run().orElseThrow());
        save(run.resolve("checkpoints/best"), 3, 2);
        assertEquals(run.resolve("checkpoints/best"), ModelSource.checkpoint(run).checkpointDir().orElseThrow());

        // a checkpoint inside a run knows its run; one elsewhere has none
        ModelSource inside = ModelSource.checkpoint(run.resolve("checkpoints/best"));
        assertEquals(run.toAbsolutePath().normalize(), inside.run().orElseThrow().toAbsolutePath().normalize());
        ModelSource alone = ModelSource.checkpoint(save(tmp.resolve("ckpt"), 3, 3));
        assertTrue(alone.isCheckpoint() && alone.run().isEmpty() && alone.weightsFile().isEmpty());
        assertEquals(CLASSES, alone.manifest().info().classes());
        assertEquals("lenet", alone.architecture());

        ConvkitException e = assertThrows(ConvkitException.class, () -> ModelSource.checkpoint(tmp.resolve("nothing")));
        assertTrue(e.getMessage().startsWith("--checkpoint " + tmp.resolve("nothing")), e.getMessage());
        e = assertThrows(ConvkitException.class, () -> ModelSource.checkpointDir(tmp.resolve("runs"), "--from"));
        assertTrue(e.getMessage().contains("--from") && e.getMessage().contains("checkpoints/best"), e.getMessage());
        assertTrue(ModelSource.isCheckpoint(run) && !ModelSource.isCheckpoint(tmp.resolve("runs")));
    }

    /** An exported .onnx given where a checkpoint is needed (eval, finetune --from, export) says which commands run it. */
    @Test
    void anOnnxFileWhereACheckpointIsNeededNamesTheCommandsThatRunIt(@TempDir Path tmp) throws Exception {
        Path onnx = Files.writeString(tmp.resolve("model.ONNX"), "not read: the name and kind decide");
        ConvkitException e = assertThrows(ConvkitException.class, () -> ModelSource.checkpoint(onnx));
        assertTrue(e.getMessage().startsWith("--checkpoint " + onnx + ": an ONNX file"), e.getMessage());
        assertTrue(e.getMessage().contains("predict, serve and spark predict run it")
                && e.getMessage().contains("the run or checkpoint it was exported from"), e.getMessage());
        e = assertThrows(ConvkitException.class, () -> ModelSource.checkpointOrWeights(onnx, "--from"));
        assertTrue(e.getMessage().startsWith("--from " + onnx + ": an ONNX file"), e.getMessage());
        // a folder that happens to be named .onnx is still just not a checkpoint
        Path folder = Files.createDirectory(tmp.resolve("dir.onnx"));
        e = assertThrows(ConvkitException.class, () -> ModelSource.checkpoint(folder));
        assertTrue(e.getMessage().contains("neither a checkpoint"), e.getMessage());
    }

    /** Weights exported from a checkpoint, imported again: the same network, the same outputs. */
    @Test
    void importedWeightsRunAsTheCheckpointTheyCameFrom(@TempDir Path tmp) throws Exception {
        Path ckpt = save(tmp.resolve("ckpt"), 3, 4);
        Path file = tmp.resolve("lenet.safetensors");
        try (NDManager m = NDManager.newBaseManager()) {
            Weights.exportTorch(Checkpoint.load(ckpt, m).net(), file);
        }
        ModelOptions defaults = Zoo.get("lenet").defaults();
        ModelSource.Fitted fitted = ModelSource.fitToFile("lenet", defaults, file, KeyMap.NONE, true, true);
        assertEquals(3, fitted.options().classes(), "the class count is the classifier's in the file");
        assertEquals(1, fitted.notes().size(), fitted.notes().toString());
        ModelSource imported = ModelSource.imported("lenet", fitted.options(), file, KeyMap.NONE,
                ModelInfo.of(CLASSES, null, null));
        assertFalse(imported.isCheckpoint());
        assertEquals(file, imported.weightsFile().orElseThrow());
        assertEquals(CLASSES, imported.manifest().info().classes());
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.randomNormal(new Shape(2, 1, 28, 28));
            float[] a = logits(ModelSource.checkpoint(ckpt).load(m).net(), x, 2, m)
                    .singletonOrThrow().toFloatArray();
            float[] b = logits(imported.load(m).net(), x, 2, m).singletonOrThrow()
                    .toFloatArray();
            assertArrayEquals(a, b, 0f);
        }
    }

    /** The input channels follow the file's first convolution (3-channel weights for a 1-channel default). */
    @Test
    void channelsAndClassesComeFromTheFilesShapes(@TempDir Path tmp) {
        Path file = tmp.resolve("rgb.safetensors");
        try (NDManager m = NDManager.newBaseManager()) {
            Weights.exportTorch(lenet(3, 7).initialize(m), file);
        }
        ModelSource.Fitted f = ModelSource.fitToFile("lenet", Zoo.get("lenet").defaults(), file, KeyMap.NONE, true, true);
        assertEquals(3, f.options().channels());
        assertEquals(7, f.options().classes());
        assertEquals(2, f.notes().size(), f.notes().toString());
        ModelSource.Fitted told = ModelSource.fitToFile("lenet", Zoo.get("lenet").defaults(), file, KeyMap.NONE, false,
                false);
        assertEquals(Zoo.get("lenet").defaults(), told.options(), "nothing taken from the file when told");
    }

    @Test
    void importedWeightsAreCheckedBeforeAnythingRuns(@TempDir Path tmp) throws Exception {
        ModelOptions o = Zoo.get("lenet").defaults();
        Path file = Files.writeString(tmp.resolve("w.pth"), "x");
        ConvkitException e = assertThrows(ConvkitException.class,
                () -> ModelSource.imported("lenet", o, file, KeyMap.NONE, ModelInfo.of(CLASSES, null, null)));
        assertTrue(e.getMessage().contains("--class-names: 3 names") && e.getMessage().contains("10 classes"),
                e.getMessage());
        e = assertThrows(ConvkitException.class,
                () -> ModelSource.imported("lenet", o, tmp, KeyMap.NONE, ModelInfo.empty()));
        assertTrue(e.getMessage().contains("--checkpoint"), e.getMessage());
        e = assertThrows(ConvkitException.class,
                () -> ModelSource.imported("lenet", o, tmp.resolve("none.pth"), KeyMap.NONE, ModelInfo.empty()));
        assertTrue(e.getMessage().contains("no such file"), e.getMessage());
        e = assertThrows(ConvkitException.class,
                () -> ModelSource.imported("lenet5", o, file, KeyMap.NONE, ModelInfo.empty()));
        assertTrue(e.getMessage().contains("Known models"), e.getMessage());
    }

    private static ai.djl.ndarray.NDList logits(ConvNet net, NDArray x, int batchSize, NDManager m) {
        return new org.convkit.eval.Evaluator(net, m.getDevice()).logits(x, batchSize, m);
    }
}
