package org.convkit.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.convkit.TestPaths;
import org.convkit.TorchPython;
import org.convkit.core.Npy;
import org.convkit.core.Runtime;
import org.convkit.model.weights.LoadReport;
import org.convkit.model.weights.Weights;
import org.convkit.train.loss.CrossEntropy;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The seed write-ups' own networks against their PyTorch definitions, written in
 * src/test/python/seed_networks.py as the write-ups have them (torch is the oracle): state-dict
 * keys, shapes and order and the parameter count are PyTorch's; with PyTorch's seeded weights and
 * non-trivial BatchNorm statistics the eval-mode logits agree to 1e-4 of the largest (BatchNorm
 * folded, as eval and predict run, and unfolded); one SGD step in training mode gives PyTorch's
 * loss before it, and the exact loss after it within what PyTorch's own float32 paths need.
 */
@Tag("integration")
class SeedNetworksTest {
    /** The zoo entries, and "resnet18-d2l-rgb": d2l's ResNet as the cats-vs-dogs write-up uses it (3 channels, 2 classes). */
    static final List<String> NETS = List.of("lenet-bn", "resnet18-d2l", "resnet18-d2l-rgb", "svhn-cnn", "svhn-resnet18");
    static final Path DATA = Path.of("target/seed-networks");
    static final Path SCRIPT = TestPaths.python("seed_networks.py");
    static JsonNode layout;

    @BeforeAll
    static void askPyTorch() throws Exception {
        TorchPython.require();
        Runtime.init();
        List<String> args = new ArrayList<>(List.of("layout"));
        args.addAll(NETS);
        layout = org.convkit.core.Json.mapper().readTree(TorchPython.script("seed_networks.py", args.toArray(String[]::new)));
        Path stamp = DATA.resolve("svhn-resnet18.step.json");
        if (!Files.exists(stamp) || Files.getLastModifiedTime(stamp).compareTo(Files.getLastModifiedTime(SCRIPT)) < 0) {
            args.set(0, "fidelity");
            args.add(1, DATA.toString());
            TorchPython.script("seed_networks.py", args.toArray(String[]::new));
        }
    }

    /** The zoo entry a name of the oracle stands for, at that definition's options. */
    static ConvNet build(String name) {
        if (name.equals("resnet18-d2l-rgb")) {
            return Zoo.create("resnet18-d2l", Zoo.get("resnet18-d2l").defaults().withInput(3, 96, 96).withClasses(2));
        }
        return Zoo.create(name);
    }

    @ParameterizedTest
    @ValueSource(strings = {"lenet-bn", "resnet18-d2l", "resnet18-d2l-rgb", "svhn-cnn", "svhn-resnet18"})
    void keysShapesOrderAndCountArePyTorchs(String name) {
        ConvNet net = build(name);
        List<String> ours = new ArrayList<>();
        net.parameterShapes().forEach((path, shape) -> ours.add(net.torchKeys().toTorch(path).orElse(path) + " "
                + java.util.Arrays.toString(shape.getShape())));
        List<String> theirs = new ArrayList<>();
        layout.get(name).get("keys").forEach(k -> theirs.add(k.get(0).asText() + " "
                + java.util.Arrays.toString(org.convkit.core.Json.mapper().convertValue(k.get(1), long[].class))));
        assertEquals(theirs, ours, name + ": state-dict keys, shapes and order");
        long params = layout.get(name).get("params").asLong();
        assertEquals(params, Summary.of(net).totalParams(), name + ": parameter count");
        System.out.printf(Locale.ROOT, "%s: %d keys in PyTorch's order, %,d parameters as PyTorch counts%n", name,
                ours.size(), params);
    }

    @ParameterizedTest
    @ValueSource(strings = {"lenet-bn", "resnet18-d2l", "resnet18-d2l-rgb", "svhn-cnn", "svhn-resnet18"})
    void logitsAndOneTrainingStepArePyTorchs(String name) throws Exception {
        JsonNode step = org.convkit.core.Json.mapper().readTree(DATA.resolve(name + ".step.json").toFile());
        try (NDManager m = NDManager.newBaseManager()) {
            ConvNet net = build(name).initialize(m);
            LoadReport r = Weights.load(net, DATA.resolve(name + ".pth"), false);
            assertEquals("pytorch", r.keyStyle(), "loaded by name, not by position");
            NDArray x = Npy.readFloat32(DATA.resolve(name + ".x.npy"), "x", m);
            NDArray y = Npy.readFloat32(DATA.resolve(name + ".y.npy"), "y", m);
            int heads = (int) y.getShape().get(0);
            assertEquals(net.options().heads(), heads);

            // as eval/predict run it (BatchNorm folded into the convs), and layer by layer
            try (var scope = org.convkit.model.layers.BatchNormFolding.fold(net, net.engine().withFoldBatchNorm(true))) {
                int pairs = switch (name) {
                    case "lenet-bn" -> 2; // the BatchNorm1d after a Linear stays a BatchNorm
                    case "svhn-cnn" -> 0;
                    case "svhn-resnet18" -> 20; // torchvision's: stem, 16 in blocks, 3 downsample
                    default -> 17; // d2l's: b1, then conv1/bn1 and conv2/bn2 of 8 residuals (conv3 has none)
                };
                assertEquals(pairs, scope.pairs(), name + ": conv + BatchNorm pairs folded");
            }
            NDList folded = new org.convkit.eval.Evaluator(net, m.getDevice()).logits(x, 2, m);
            NDList plain = net.forward(new ParameterStore(m, false), new NDList(x), false);
            for (int k = 0; k < heads; k++) {
                NDArray want = y.get(new NDIndex(k));
                double f = relative(folded.get(k), want);
                double p = relative(plain.get(k), want);
                System.out.printf(Locale.ROOT, "%s head %d: max|diff|/max|logit| folded %.2e, unfolded %.2e%n", name, k, f,
                        p);
                assertTrue(f <= 1e-4 && p <= 1e-4, name + " head " + k + ": folded " + f + ", unfolded " + p);
            }

            // one SGD step in training mode from the same weights, in the settings training runs
            net.setEngine(net.engine().forTraining());
            NDArray tx = Npy.readFloat32(DATA.resolve(name + ".tx.npy"), "tx", m);
            // class indices, saved as float32 (exact for small integers)
            NDArray ty = Npy.readFloat32(DATA.resolve(name + ".ty.npy"), "ty", m).toType(DataType.INT64, false);
            CrossEntropy loss = new CrossEntropy(0);
            float lr = (float) step.get("lr").asDouble();
            Engine engine = Engine.getInstance();
            float loss0;
            try (GradientCollector gc = engine.newGradientCollector()) {
                NDArray l = loss.compute(net.forward(new ParameterStore(m, false), new NDList(tx), true), ty);
                loss0 = l.getFloat();
                gc.backward(l);
            }
            for (Parameter p : net.parametersByPath().values()) {
                if (p.requiresGradient()) {
                    NDArray w = p.getArray();
                    w.subi(w.getGradient().mul(lr));
                }
            }
            float loss1 = loss.compute(net.forward(new ParameterStore(m, false), new NDList(tx), true), ty).getFloat();
            double e0 = Math.abs(loss0 - step.get("loss0").asDouble()) / Math.abs(step.get("loss0").asDouble());
            // after the step: against the exact (float64) loss, within 1e-4 or, where float32
            // rounding alone moves it further, twice what PyTorch's own float32 paths needed
            double exact = step.get("loss1_exact").asDouble();
            double bound = Math.max(1e-4, 2 * step.get("loss1_float32_spread").asDouble());
            double e1 = Math.abs(loss1 - exact) / Math.abs(exact);
            System.out.printf(Locale.ROOT, "%s training step (%s): loss %.6f -> %.6f (PyTorch %.6f -> %.6f, exactly"
                    + " %.6f), relative %.1e / %.1e of %.1e%n", name, net.engine().spec(), loss0, loss1,
                    step.get("loss0").asDouble(), step.get("loss1").asDouble(), exact, e0, e1, bound);
            assertTrue(e0 <= 1e-4, name + ": loss before the step " + loss0 + " vs " + step.get("loss0"));
            assertTrue(e1 <= bound, name + ": loss after the step " + loss1 + " vs exactly " + exact + " (" + e1 + " > "
                    + bound + ")");
        }
    }

    /** The write-up's CNN at its 3x64x128 input: 32 x 3 x 7 features per image, as its fc layers hard-code. */
    @Test
    void theStreetNumberCnnSeesTheWriteUpsFeatureSize() {
        ConvNet net = Zoo.create("svhn-cnn");
        assertEquals(32 * 3 * 7, net.featureSize());
        assertEquals(6, net.options().heads());
        assertEquals(new Shape(11, 672), net.parameterShapes().get("head.5.weight"));
        assertEquals("fc6.weight", net.torchKeys().toTorch("head.5.weight").orElseThrow());
        assertEquals("fc0.weight", Zoo.create("svhn-resnet18").torchKeys().toTorch("head.0.weight").orElseThrow());
        assertEquals(256, Zoo.create("lenet-bn").parameterShapes().get("backbone.pre_logits.0.weight").get(1),
                "no padding on the first conv: 16 x 4 x 4 features");
    }

    static double relative(NDArray a, NDArray b) {
        assertEquals(b.getShape(), a.getShape());
        return a.sub(b).abs().max().getFloat() / b.abs().max().getFloat();
    }

}
