package org.convkit.model.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import java.util.Random;
import org.convkit.core.ConvkitException;
import org.convkit.core.Runtime;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Reading files PyTorch wrote (src/test/resources/weights, made by src/test/python/torch_weights.py). */
class StateDictTest {
    @TempDir
    Path tmp;

    @BeforeAll
    static void engine() {
        Runtime.init();
    }

    static Path fixture(String name) {
        try {
            return Path.of(StateDictTest.class.getResource("/weights/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Every tensor PyTorch saved, with its values, dtype and shape (views copied out correctly). */
    @ParameterizedTest
    @ValueSource(strings = {"views.pth", "views.safetensors", "wrapped.pth", "views_legacy.pth", "wrapped_legacy.pth"})
    void readsWhatPyTorchSaved(String file) throws IOException {
        JsonNode expected = new ObjectMapper().readTree(fixture("views.json").toFile());
        try (StateDict sd = StateDict.read(fixture(file))) {
            Map<String, NDArray> t = sd.tensors();
            assertEquals(expected.size(), t.size(), "keys: " + t.keySet());
            for (Iterator<Map.Entry<String, JsonNode>> it = expected.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                NDArray a = t.get(e.getKey());
                assertTrue(a != null, "missing " + e.getKey() + " in " + t.keySet());
                // bfloat16 is widened to float32 on reading (exactly); every other type is kept
                DataType stored = DataType.fromSafetensors(e.getValue().get("dtype").asText());
                assertEquals(TensorBytes.inMemory(stored), a.getDataType(), e.getKey());
                long[] shape = new ObjectMapper().convertValue(e.getValue().get("shape"), long[].class);
                assertArrayEquals(shape, a.getShape().getShape(), e.getKey());
                double[] want = new ObjectMapper().convertValue(e.getValue().get("values"), double[].class);
                try (NDArray d = a.toType(DataType.FLOAT64, true)) {
                    assertArrayEquals(want, d.toDoubleArray(), 0.0, e.getKey());
                }
            }
        }
    }

    /** The shapes alone (header or pickle, no tensor data) are those of the tensors read. */
    @ParameterizedTest
    @ValueSource(strings = {"views.pth", "views.safetensors", "wrapped.pth", "views_legacy.pth", "wrapped_legacy.pth"})
    void shapesWithoutReadingTheData(String file) {
        Map<String, ai.djl.ndarray.types.Shape> shapes = StateDict.shapes(fixture(file));
        try (StateDict sd = StateDict.read(fixture(file))) {
            Map<String, ai.djl.ndarray.types.Shape> read = new java.util.LinkedHashMap<>();
            sd.tensors().forEach((k, v) -> read.put(k, v.getShape()));
            assertEquals(read, shapes);
            assertEquals(java.util.List.copyOf(read.keySet()), java.util.List.copyOf(shapes.keySet()));
        }
    }

    /**
     * model.state_dict() pickles its _metadata attribute as BUILD state on the OrderedDict; the
     * legacy format (PyTorch before 1.6) holds the same.
     */
    @ParameterizedTest
    @ValueSource(strings = {"module_state.pth", "legacy.pth"})
    void readsAModuleStateDictWithMetadata(String file) throws IOException {
        JsonNode expected = new ObjectMapper().readTree(fixture("module_state.json").toFile());
        try (StateDict sd = StateDict.read(fixture(file))) {
            assertEquals(java.util.List.of("weight", "bias"), java.util.List.copyOf(sd.tensors().keySet()));
            for (String k : new String[] {"weight", "bias"}) {
                double[] want = new ObjectMapper().convertValue(expected.get(k), double[].class);
                try (NDArray d = sd.tensors().get(k).toType(DataType.FLOAT64, true)) {
                    assertArrayEquals(want, d.toDoubleArray(), 0.0, k);
                }
            }
        }
    }

    @ParameterizedTest
    @CsvSource({
        "os_system.pth, posix.system",
        "os_system_legacy.pth, posix.system",
        "custom_class.pth, __main__.Custom",
        "whole_module.pth, torch.nn.modules.linear.Linear"})
    void picklesHoldingMoreThanTensorsAreRefusedNamingWhat(String file, String global) {
        ConvkitException e = assertThrows(ConvkitException.class, () -> StateDict.read(fixture(file)));
        assertTrue(e.getMessage().contains(global) && e.getMessage().contains("refused"), e.getMessage());
        assertTrue(e.getMessage().contains(file), e.getMessage());
    }

    @Test
    void otherFilesAreNamedWithTheProblem() throws IOException {
        Path empty = Files.createFile(tmp.resolve("empty.pth"));
        assertMessage(empty, "not a weights file");
        Path text = Files.writeString(tmp.resolve("notes.safetensors"), "hello, not weights at all");
        assertMessage(text, "not a weights file");
        assertMessage(tmp.resolve("absent.pth"), "no such file");
        assertMessage(fixture("torchscript.pt"), "a TorchScript archive");
        assertMessage(tmp, "a directory");
    }

    private static void assertMessage(Path file, String text) {
        ConvkitException e = assertThrows(ConvkitException.class, () -> StateDict.read(file));
        assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains(text), e.getMessage());
    }

    /**
     * Truncations and flipped bits anywhere in real files: either the file still reads (a flip in
     * padding or in safetensors data, which has no checksum) or a ConvkitException names the file.
     * Never another exception, never an attempt to allocate what a corrupt length claims.
     */
    @ParameterizedTest
    @ValueSource(strings = {"views.pth", "views.safetensors", "wrapped.pth", "views_legacy.pth"})
    void corruptFilesFailWithAMessageNamingThem(String name) throws IOException {
        byte[] good = Files.readAllBytes(fixture(name));
        Random rnd = new Random(42);
        Path bad = tmp.resolve("bad-" + name);
        int refused = 0;
        for (int trial = 0; trial < 120; trial++) {
            byte[] b;
            if (trial < 40) {
                b = java.util.Arrays.copyOf(good, trial == 0 ? 0 : rnd.nextInt(good.length));
            } else {
                b = good.clone();
                int flips = 1 + rnd.nextInt(3);
                for (int f = 0; f < flips; f++) {
                    b[rnd.nextInt(b.length)] ^= (byte) (1 << rnd.nextInt(8));
                }
            }
            Files.write(bad, b);
            try (StateDict sd = StateDict.read(bad)) {
                assertTrue(sd.tensors().size() > 0);
            } catch (ConvkitException e) {
                assertTrue(e.getMessage().contains(bad.toString()), e.getMessage());
                refused++;
            }
        }
        assertTrue(refused >= 40, "every truncation must be refused, " + refused + " of 120 were");
    }

    /** Decoded tensors belong to the StateDict's manager: closing it leaves nothing behind. */
    @Test
    void closingFreesEveryTensor() {
        NDManager root;
        try (NDManager probe = NDManager.newBaseManager()) {
            root = probe.getParentManager();
        }
        int before = root.getManagedArrays().size();
        for (String f : new String[] {"views.pth", "views.safetensors", "wrapped.pth", "views_legacy.pth"}) {
            try (StateDict sd = StateDict.read(fixture(f))) {
                assertTrue(root.getManagedArrays().size() > before);
            }
        }
        assertThrows(ConvkitException.class, () -> StateDict.read(fixture("os_system.pth")));
        assertEquals(before, root.getManagedArrays().size());
    }
}
