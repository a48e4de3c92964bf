package org.convkit.model.weights;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
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

/** Import and export of PyTorch-style state dicts, and the strict matching messages. */
class WeightsTest {
    @TempDir
    Path tmp;

    @BeforeAll
    static void engine() {
        Runtime.init();
    }

    static void assertSameParameters(ConvNet a, ConvNet b, boolean includeHead) {
        a.parametersByPath().forEach((k, p) -> {
            if (includeHead || !k.startsWith("head.")) {
                assertTrue(p.getArray().contentEquals(b.parametersByPath().get(k).getArray()), k);
            }
        });
    }

    /** Exports {@code net}, then rewrites the file with its tensors changed by {@code edit}. */
    Path exportedAndEdited(ConvNet net, java.util.function.BiConsumer<NDManager, Map<String, NDArray>> edit)
            throws Exception {
        Path src = tmp.resolve("exported.safetensors");
        Path dst = tmp.resolve("edited.safetensors");
        Weights.exportTorch(net, src);
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> t = new LinkedHashMap<>(SafeTensors.read(src, m));
            edit.accept(m, t);
            try (OutputStream out = Files.newOutputStream(dst)) {
                SafeTensors.write(out, t);
            }
        }
        return dst;
    }

    @Test
    void exportedTorchvisionKeysLoadBackCompletely() {
        Path file = tmp.resolve("r18.safetensors");
        try (NDManager m = NDManager.newBaseManager()) {
            ConvNet a = CheckpointTest.small(3).initialize(m);
            CheckpointTest.perturbStatistics(a);
            Weights.exportTorch(a, file);
            try (StateDict sd = StateDict.read(file)) {
                assertTrue(sd.tensors().containsKey("conv1.weight"));
                assertTrue(sd.tensors().containsKey("layer4.1.bn2.running_var"));
                assertEquals(DataType.INT64, sd.tensors().get("bn1.num_batches_tracked").getDataType());
                assertTrue(sd.tensors().containsKey("fc.bias"));
            }
            ConvNet b = CheckpointTest.small(3).initialize(m);
            int arrays = m.getManagedArrays().size();
            int everywhere = m.getParentManager().getManagedArrays().size(); // all managers of the engine
            LoadReport r = Weights.load(b, file, false);
            assertEquals(arrays, m.getManagedArrays().size(), "loading left arrays in the network's manager");
            assertEquals(everywhere, m.getParentManager().getManagedArrays().size(), "loading leaked arrays");
            assertEquals("pytorch", r.keyStyle());
            assertTrue(r.complete(), r.problems());
            assertSameParameters(a, b, true);
        }
    }

    @Test
    void otherClassCountListsTheHeadAndSuggestsWhatToDo() {
        Path file = tmp.resolve("five.safetensors");
        try (NDManager m = NDManager.newBaseManager()) {
            ConvNet five = CheckpointTest.small(5).initialize(m);
            Weights.exportTorch(five, file);
            ConvNet three = CheckpointTest.small(3).initialize(m);
            NDArray headBefore = three.parametersByPath().get("head.0.weight").getArray().duplicate();
            NDArray convBefore = three.parametersByPath().get("backbone.layer1.0.conv1.weight").getArray().duplicate();
            ConvkitException e = assertThrows(ConvkitException.class, () -> Weights.load(three, file, false));
            String msg = e.getMessage();
            assertTrue(msg.contains("wrong shape (2)") && msg.contains("fc.weight: file (5, 128), model (3, 128)"), msg);
            assertTrue(msg.contains("--classes 5") && msg.contains("--ignore-head"), msg);
            assertTrue(msg.contains(file.toString()) && msg.contains("resnet18"), msg);
            // strict failure changes nothing
            assertTrue(convBefore.contentEquals(three.parametersByPath().get("backbone.layer1.0.conv1.weight").getArray()));

            LoadReport r = Weights.load(three, file, true);
            assertEquals(List.of("fc.weight", "fc.bias"), r.skipped());
            assertSameParameters(five, three, false);
            assertTrue(headBefore.contentEquals(three.parametersByPath().get("head.0.weight").getArray()),
                    "--ignore-head must leave the classifier alone");
        }
    }

    @Test
    void anotherArchitectureIsReportedGroupedByModule() {
        Path file = tmp.resolve("r34.safetensors");
        try (NDManager m = NDManager.newBaseManager()) {
            ConvNet r34 = Zoo.create("resnet34", ModelOptions.defaults().withInput(3, 32, 32).withClasses(3)
                    .withStem("cifar").withWidthMultiplier(0.25)).initialize(m);
            Weights.exportTorch(r34, file);
            ConvNet r18 = CheckpointTest.small(3).initialize(m);
            String msg = assertThrows(ConvkitException.class, () -> Weights.load(r18, file, false)).getMessage();
            // resnet34 has blocks layer1.2, layer2.2-3, layer3.2-5, layer4.2 that resnet18 lacks
            assertTrue(msg.contains("unexpected in the file (") && msg.contains("layer3.5.* ("), msg);
            assertFalse(msg.contains("missing from the file"), msg);
        }
    }

    /** At published defaults the zoo is searched for what the file fits. */
    @Test
    void theMessageNamesTheArchitectureTheFileFits() {
        Path file = tmp.resolve("resnet18.safetensors");
        try (NDManager m = NDManager.newBaseManager()) {
            Weights.exportTorch(Zoo.create("resnet18").initialize(m), file);
            ConvNet r34 = Zoo.create("resnet34").initialize(m);
            String msg = assertThrows(ConvkitException.class, () -> Weights.load(r34, file, false)).getMessage();
            assertTrue(msg.contains("The file fits resnet18"), msg);
        }
    }

    @Test
    void missingUnexpectedAndWrongTypeAreAllListed() throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            ConvNet net = CheckpointTest.small(3).initialize(m);
            Path bad = exportedAndEdited(net, (mm, t) -> {
                t.remove("layer2.0.bn1.running_mean");
                t.put("extra.weight", mm.zeros(new ai.djl.ndarray.types.Shape(2)));
                NDArray w = t.get("conv1.weight");
                t.put("conv1.weight", w.toType(DataType.INT32, false));
            });
            String msg = assertThrows(ConvkitException.class, () -> Weights.load(net, bad, false)).getMessage();
            assertTrue(msg.contains("missing from the file (1):\n    layer2.0.bn1.running_mean (32)"), msg);
            assertTrue(msg.contains("unexpected in the file (1):\n    extra.weight (2)"), msg);
            assertTrue(msg.contains("conv1.weight: file holds int32"), msg);
        }
    }

    @Test
    void halfPrecisionAndDataParallelPrefixAreAccepted() throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            ConvNet a = CheckpointTest.small(3).initialize(m);
            Path half = exportedAndEdited(a, (mm, t) -> {
                Map<String, NDArray> out = new LinkedHashMap<>();
                t.forEach((k, v) -> out.put("module." + k, v.getDataType() == DataType.FLOAT32 ? v.toType(DataType.FLOAT16, false) : v));
                t.clear();
                t.putAll(out);
            });
            ConvNet b = CheckpointTest.small(3).initialize(m);
            assertTrue(Weights.load(b, half, false).complete());
            Parameter p = b.parametersByPath().get("backbone.layer1.0.conv1.weight");
            try (NDArray want = a.parametersByPath().get("backbone.layer1.0.conv1.weight").getArray()
                    .toType(DataType.FLOAT16, false).toType(DataType.FLOAT32, false)) {
                assertTrue(want.contentEquals(p.getArray()));
            }
        }
    }

    @Test
    void aCheckpointDirectoryIsAcceptedAsWeights() {
        Path dir = tmp.resolve("ck");
        try (NDManager m = NDManager.newBaseManager()) {
            ConvNet a = CheckpointTest.small(4).initialize(m);
            Checkpoint.save(dir, a, ModelInfo.empty(), null);
            ConvNet b = CheckpointTest.small(4).initialize(m);
            assertEquals("convkit", Weights.load(b, dir, false).keyStyle());
            assertSameParameters(a, b, true);
            ConvNet c = CheckpointTest.small(2).initialize(m); // new classes: backbone only
            assertEquals(2, Weights.load(c, dir, true).skipped().size());
            assertSameParameters(a, c, false);
        }
    }

    @Test
    void exportNeedsTheSafetensorsExtension() {
        try (NDManager m = NDManager.newBaseManager()) {
            ConvNet a = CheckpointTest.small(2).initialize(m);
            ConvkitException e = assertThrows(ConvkitException.class, () -> Weights.exportTorch(a, tmp.resolve("w.pth")));
            assertTrue(e.getMessage().contains(".safetensors"), e.getMessage());
        }
    }

    /**
     * Other names, same order (as a .pth keeps it): every tensor lines up in shape and kind
     * (weight, bias, running_mean ...), so they load by position, mapping shown; with a
     * BatchNorm's mean and variance swapped (same shapes) they do not, naming the first mismatch.
     * A safetensors file keeps no order: refused, saying so.
     */
    @Test
    void namesThatDifferLoadByPositionWhenEverythingLinesUp() throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            ConvNet a = CheckpointTest.small(3).initialize(m);
            Map<String, NDArray> renamed = new LinkedHashMap<>();
            Map<String, NDArray> swapped = new LinkedHashMap<>();
            a.parametersByPath().forEach((path, p) -> {
                String key = a.torchKeys().toTorch(path).orElseThrow();
                renamed.put("model.body." + key.replace("layer", "stage"), p.getArray());
                swapped.put("x." + key.replace("running_mean", "TMP").replace("running_var", "running_mean")
                        .replace("TMP", "running_var"), p.getArray());
                if (key.endsWith("running_var")) { // as PyTorch saves them; not counted when lining up
                    renamed.put("model.body." + key.replace("running_var", "num_batches_tracked"), m.create(7L));
                }
            });
            ConvNet b = CheckpointTest.small(3).initialize(m);
            LoadReport r = WeightLoader.load(b, renamed, "model.pth", WeightLoader.KeyStyle.AUTO, false, true, true);
            assertEquals("position", r.keyStyle());
            assertEquals("model.body.conv1.weight -> conv1.weight " + a.parameterShapes().get("backbone.stem.conv1.weight"),
                    r.byPosition().get(0));
            assertSameParameters(a, b, true);
            // fine-tuning for 2 classes: the backbone by position, the 3-class head left fresh
            ConvNet two = CheckpointTest.small(2).initialize(m);
            LoadReport backbone = WeightLoader.load(two, renamed, "model.pth", WeightLoader.KeyStyle.AUTO, true, true, true);
            assertEquals("position", backbone.keyStyle());
            assertEquals(List.of("fc.weight", "fc.bias"), backbone.skipped());
            assertSameParameters(a, two, false);

            ConvkitException e = assertThrows(ConvkitException.class,
                    () -> WeightLoader.load(b, swapped, "model.pth", WeightLoader.KeyStyle.AUTO, false, true, true));
            assertTrue(e.getMessage().contains("tensor 4 of the file, x.bn1.running_var (") && e.getMessage().contains(
                    "is a running_var where the network's bn1.running_mean"), e.getMessage());

            Path file = exportedAndEdited(a, (mm, t) -> {
                Map<String, NDArray> out = new LinkedHashMap<>();
                t.forEach((k, v) -> out.put("model.body." + k, v));
                t.clear();
                t.putAll(out);
            });
            e = assertThrows(ConvkitException.class, () -> Weights.load(b, file, false));
            assertTrue(e.getMessage().contains("safetensors file does not keep the order"), e.getMessage());
        }
    }
}
