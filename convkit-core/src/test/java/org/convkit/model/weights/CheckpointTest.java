package org.convkit.model.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.convkit.core.ConvkitException;
import org.convkit.core.Runtime;
import org.convkit.model.ConvNet;
import org.convkit.model.ModelOptions;
import org.convkit.model.Zoo;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointTest {
    @TempDir
    Path tmp;

    @BeforeAll
    static void engine() {
        Runtime.init();
    }

    /** A small ResNet-18 (quarter width, CIFAR stem): a real family, fast to build. */
    static ConvNet small(int classes) {
        return Zoo.create("resnet18", ModelOptions.defaults().withInput(3, 32, 32).withClasses(classes)
                .withStem("cifar").withWidthMultiplier(0.25));
    }

    static NDArray logits(ConvNet net, NDArray x) {
        NDList out = net.forward(new ParameterStore(x.getManager(), false), new NDList(x), false);
        return out.singletonOrThrow();
    }

    /** Makes BatchNorm statistics differ from their initial 0/1 so a lost statistic shows. */
    static void perturbStatistics(ConvNet net) {
        net.parametersByPath().forEach((path, p) -> {
            if (path.endsWith("running_mean") || path.endsWith("running_var")) {
                NDArray a = p.getArray();
                try (NDArray r = a.getManager().randomUniform(0.5f, 1.5f, a.getShape())) {
                    a.set(new ai.djl.ndarray.index.NDIndex(":"), r);
                }
            }
        });
    }

    /**
     * A server, a Spark task or a loader thread loads checkpoints on threads other than the one that
     * loaded the engine, where libtorch starts recording gradients: the weights must load there too.
     */
    @Test
    void loadsOnAThreadOfItsOwn() throws Exception {
        Path dir = tmp.resolve("ckpt");
        float[] expected;
        try (NDManager m = NDManager.newBaseManager()) {
            ConvNet net = small(3).initialize(m);
            Checkpoint.save(dir, net, new ModelInfo(List.of("a", "b", "c"), null, null, Map.of()), null);
            expected = net.parametersByPath().values().iterator().next().getArray().toFloatArray();
        }
        float[][] loaded = new float[1][];
        Throwable[] failure = new Throwable[1];
        Thread t = new Thread(() -> {
            try (NDManager m = NDManager.newBaseManager()) {
                loaded[0] = Checkpoint.load(dir, m).net().parametersByPath().values().iterator().next().getArray().toFloatArray();
            } catch (Throwable e) {
                failure[0] = e;
            }
        });
        t.start();
        t.join();
        if (failure[0] != null) {
            throw new AssertionError("loading on another thread failed", failure[0]);
        }
        assertArrayEquals(expected, loaded[0]);
    }

    @Test
    void roundTripKeepsOutputsInfoAndTrainingState() {
        Path dir = tmp.resolve("ckpt");
        ModelInfo info = new ModelInfo(List.of("a", "b", "c"), new float[] {0.5f, 0.4f, 0.3f},
                new float[] {0.2f, 0.25f, 0.3f}, Map.of("resize", 36));
        try (NDManager m = NDManager.newBaseManager()) {
            ConvNet net = small(3).initialize(m);
            perturbStatistics(net);
            NDArray x = m.randomNormal(new Shape(2, 3, 32, 32));
            NDArray expected = logits(net, x);
            NDArray moment = m.randomNormal(new Shape(4, 5));
            TrainingState state = new TrainingState(7, 1234L,
                    Map.of("lr", 0.05, "rng", List.of(1, 2, 3), "optimizer", "sgd"), Map.of("sgd.momentum.x", moment));
            Checkpoint.save(dir, net, info, state);

            try (NDManager m2 = NDManager.newBaseManager()) {
                Checkpoint.Loaded loaded = Checkpoint.load(dir, m2);
                assertEquals("resnet18", loaded.net().architecture());
                assertEquals(net.options(), loaded.net().options());
                assertEquals(info, loaded.info());
                assertEquals(Checkpoint.version(), loaded.manifest().convkitVersion());
                NDArray got = logits(loaded.net(), x.toDevice(m2.getDevice(), true));
                assertTrue(got.contentEquals(expected.toDevice(got.getDevice(), false)), "outputs differ after reload");
                TrainingState t = Checkpoint.readTraining(dir, m2).orElseThrow();
                assertEquals(7, t.epoch());
                assertEquals(1234L, t.step());
                assertEquals(0.05, ((Number) t.state().get("lr")).doubleValue());
                assertEquals(List.of(1, 2, 3), t.state().get("rng"));
                assertArrayEquals(moment.toFloatArray(), t.tensors().get("sgd.momentum.x").toFloatArray());
            }
        }
        assertTrue(Files.isRegularFile(dir.resolve("model.json")));
        assertTrue(Files.isRegularFile(dir.resolve("weights.safetensors")));
    }

    @Test
    void saveReplacesAtomicallyAndLeavesNoTemporaries() throws Exception {
        Path dir = tmp.resolve("last");
        try (NDManager m = NDManager.newBaseManager()) {
            ConvNet first = small(2).initialize(m);
            Checkpoint.save(dir, first, ModelInfo.empty(), null);
            ConvNet second = small(2).initialize(m);
            Checkpoint.save(dir, second, ModelInfo.empty(), null);
            try (NDManager m2 = NDManager.newBaseManager()) {
                Checkpoint.Loaded l = Checkpoint.load(dir, m2);
                NDArray w = l.net().parametersByPath().get("head.0.weight").getArray();
                assertTrue(w.contentEquals(second.parametersByPath().get("head.0.weight").getArray()));
                assertFalse(Checkpoint.readTraining(dir, m2).isPresent());
            }
        }
        try (var s = Files.list(tmp)) {
            assertEquals(List.of("last"), s.map(p -> p.getFileName().toString()).toList());
        }
    }

    @Test
    void otherArchitectureOrClassCountIsRefusedNamingBoth() {
        Path dir = tmp.resolve("c");
        try (NDManager m = NDManager.newBaseManager()) {
            Checkpoint.save(dir, small(3).initialize(m), ModelInfo.empty(), null);
            ConvkitException e = assertThrows(ConvkitException.class, () -> Checkpoint.loadInto(dir, small(5).initialize(m)));
            assertTrue(e.getMessage().contains("3 classes") && e.getMessage().contains("5 classes"), e.getMessage());
            ConvNet other = Zoo.create("resnet34", ModelOptions.defaults().withInput(3, 32, 32).withClasses(3)
                    .withStem("cifar").withWidthMultiplier(0.25)).initialize(m);
            e = assertThrows(ConvkitException.class, () -> Checkpoint.loadInto(dir, other));
            assertTrue(e.getMessage().contains("resnet18") && e.getMessage().contains("resnet34"), e.getMessage());
        }
    }

    @Test
    void loadIntoSameArchitectureReportsEverythingLoaded() {
        Path dir = tmp.resolve("c");
        try (NDManager m = NDManager.newBaseManager()) {
            ConvNet a = small(4).initialize(m);
            perturbStatistics(a);
            Checkpoint.save(dir, a, ModelInfo.empty(), null);
            ConvNet b = small(4).initialize(m);
            int before = m.getManagedArrays().size();
            LoadReport r = Checkpoint.loadInto(dir, b);
            assertEquals(before, m.getManagedArrays().size(), "loading left arrays behind in the network's manager");
            assertTrue(r.complete());
            assertEquals(a.parametersByPath().size(), r.loaded());
            a.parametersByPath().forEach((k, p) ->
                    assertTrue(p.getArray().contentEquals(b.parametersByPath().get(k).getArray()), k));
        }
    }

    @Test
    void truncatedWeightsNameTheFile() throws Exception {
        Path dir = tmp.resolve("c");
        try (NDManager m = NDManager.newBaseManager()) {
            Checkpoint.save(dir, small(2).initialize(m), ModelInfo.empty(), null);
            Path w = dir.resolve(Checkpoint.WEIGHTS);
            byte[] bytes = Files.readAllBytes(w);
            Files.write(w, java.util.Arrays.copyOf(bytes, bytes.length / 2));
            ConvkitException e = assertThrows(ConvkitException.class, () -> Checkpoint.load(dir, m));
            assertTrue(e.getMessage().contains(w.toString()), e.getMessage());
        }
    }

    @Test
    void missingCheckpointSaysSo() {
        try (NDManager m = NDManager.newBaseManager()) {
            ConvkitException e = assertThrows(ConvkitException.class, () -> Checkpoint.load(tmp.resolve("none"), m));
            assertTrue(e.getMessage().contains("not found"), e.getMessage());
        }
    }
}
