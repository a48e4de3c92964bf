package org.convkit.model.weights;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.convkit.TestPaths;
import org.convkit.TorchPython;
import org.convkit.core.ConvkitException;
import org.convkit.core.Npy;
import org.convkit.core.Runtime;
import org.convkit.eval.Evaluator;
import org.convkit.model.ConvNet;
import org.convkit.model.Zoo;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Weights files in the forms people really have, each written by the test's own PyTorch
 * (src/test/python/weight_forms.py): loaded into the zoo model they hold, the network gives the
 * logits PyTorch gave (so the tensors went where they belong, also when matched by position).
 */
@Tag("integration")
class WeightFormsTest {
    static final Path DATA = Path.of("target/weight-forms");
    static final Path SCRIPT = TestPaths.python("weight_forms.py");

    @BeforeAll
    static void writeTheFiles() throws Exception {
        TorchPython.require();
        Runtime.init();
        Path stamp = DATA.resolve("d2l_lenet_nopad.pth");
        if (!Files.exists(stamp) || Files.getLastModifiedTime(stamp).compareTo(Files.getLastModifiedTime(SCRIPT)) < 0) {
            TorchPython.script("weight_forms.py", "forms", DATA.toString());
        }
    }

    @ParameterizedTest(name = "{0} into {1}")
    @CsvSource({
        // d2l's nn.Sequential(Reshape(), Conv2d ...): keys 1, 4, 8, 10, 12 where lenet's are net.0 ... net.11
        "d2l_lenet_reshape, lenet, position",
        "d2l_lenet_reshape_legacy, lenet, position",
        "lenet_bn_dataparallel, lenet-bn, pytorch",
        "svhn_cnn_checkpoint, svhn-cnn, pytorch",
        "resnet18_d2l_checkpoint, resnet18-d2l, pytorch"})
    void loadsAndGivesPyTorchsLogits(String form, String model, String matchedBy) throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            ConvNet net = Zoo.create(model).initialize(m);
            LoadReport r = Weights.load(net, DATA.resolve(form + ".pth"), false);
            assertEquals(matchedBy, r.keyStyle(), r.summary());
            assertEquals(net.parametersByPath().size(), r.loaded());
            if (matchedBy.equals("position")) {
                // the mapping is shown in full, in order: the user can check it
                assertEquals(r.loaded(), r.byPosition().size());
                assertEquals("1.weight -> net.0.weight (6, 1, 5, 5)", r.byPosition().get(0));
                assertEquals("12.bias -> net.11.bias (10)", r.byPosition().get(r.byPosition().size() - 1));
                assertTrue(r.summary().contains("matched by position") && r.summary().contains("8.weight -> net.7.weight"),
                        r.summary());
            }
            NDArray x = Npy.readFloat32(DATA.resolve(form + ".x.npy"), "x", m);
            NDArray y = Npy.readFloat32(DATA.resolve(form + ".y.npy"), "y", m);
            NDList out = new Evaluator(net, m.getDevice()).logits(x, 2, m);
            for (int k = 0; k < out.size(); k++) {
                NDArray want = y.get(new NDIndex(k));
                double err = out.get(k).sub(want).abs().max().getFloat() / want.abs().max().getFloat();
                System.out.printf(Locale.ROOT, "%s -> %s head %d: %s keys, max|diff|/max|logit| %.2e%n", form, model, k,
                        r.keyStyle(), err);
                assertTrue(err <= 1e-4, form + " head " + k + ": " + err);
            }
        }
    }

    /**
     * d2l's LeNet without the first conv's padding: its first Linear is 256 wide, lenet's 400. Not
     * loaded, and the message names the first tensor that does not line up.
     */
    @Test
    void shapesThatDoNotLineUpAreRefusedNamingTheFirst() {
        try (NDManager m = NDManager.newBaseManager()) {
            ConvNet net = Zoo.create("lenet").initialize(m);
            Path file = DATA.resolve("d2l_lenet_nopad.pth");
            float before = net.parametersByPath().get("backbone.features.0.weight").getArray().getFloat(0, 0, 0, 0);
            ConvkitException e = assertThrows(ConvkitException.class, () -> Weights.load(net, file, false));
            assertTrue(e.getMessage().contains("tensor 5 of the file, 8.weight (120, 256), does not have the shape of the"
                    + " network's net.7.weight (120, 400)"), e.getMessage());
            assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("--key-map"), e.getMessage());
            assertEquals(before, net.parametersByPath().get("backbone.features.0.weight").getArray().getFloat(0, 0, 0, 0),
                    "nothing loaded");
        }
    }

    /** What neither names nor positions can match, a key map can: d2l's keys renamed to lenet's. */
    @Test
    void aKeyMapRenamesWhatNothingElseMatches(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        Path map = Files.writeString(tmp.resolve("lenet.map"), String.join("\n", List.of(
                "# d2l's Sequential with a Reshape in front, to lenet's keys", "1. net.0.", "4. net.3.", "8. net.7.",
                "10. net.9.", "12. net.11.")));
        try (NDManager m = NDManager.newBaseManager()) {
            ConvNet net = Zoo.create("lenet").initialize(m);
            LoadReport r = Weights.load(net, DATA.resolve("d2l_lenet_reshape.pth"), false, KeyMap.read(map));
            assertEquals("pytorch", r.keyStyle(), "matched by the renamed names");
            NDArray x = Npy.readFloat32(DATA.resolve("d2l_lenet_reshape.x.npy"), "x", m);
            NDArray y = Npy.readFloat32(DATA.resolve("d2l_lenet_reshape.y.npy"), "y", m).get(new NDIndex(0));
            NDArray out = new Evaluator(net, m.getDevice()).logits(x, 3, m).singletonOrThrow();
            assertTrue(out.sub(y).abs().max().getFloat() / y.abs().max().getFloat() <= 1e-4);
        }
    }
}
