package org.convkit.model.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.convkit.core.EngineSettings;
import org.convkit.core.EngineSettings.Precision;
import org.convkit.core.Npy;
import org.convkit.core.Runtime;
import org.convkit.model.ConvNet;
import org.convkit.model.ModelOptions;
import org.convkit.model.Zoo;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bfloat16 against float32 on the same weights and input: an evaluation pass and a training pass of
 * a small ResNet-18 (logits and every conv weight's gradient), computed in a child JVM started with
 * {@code ONEDNN_DEFAULT_FPMATH_MODE=BF16} and in this one (float32). The stated fidelity bounds are
 * the constants below; PyTorch 1.13's CPU autocast on the same computation (torchvision resnet18,
 * batch 16 at 32x32, random weights) deviates from its float32 by 2.1e-2 (evaluation logits),
 * 6.8e-2 (training logits) and a gradient cosine of 0.915, so the bounds are at least as strict as
 * what PyTorch users accept. Training logits above 1e-4 off float32 are the evidence that bfloat16
 * really ran. The CLI's Bf16FidelityTest compares with autocast on torchvision's own network.
 */
class Bf16Test {
    /** max |bf16 - fp32| / max |fp32| of evaluation logits (PyTorch 1.13's autocast here: 2.1e-2). */
    static final double EVAL_BOUND = 2e-2;
    /** The same for training-mode logits (BatchNorm on batch statistics; autocast: 6.8e-2). */
    static final double TRAIN_BOUND = 5e-2;
    /** Least cosine similarity of all conv-weight gradients, bf16 vs fp32 (autocast: 0.915). */
    static final double COSINE_BOUND = 0.9;

    /** The child: one training pass under this process's precision, written to {@code args[0]}. */
    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args[0]);
        try (NDManager m = NDManager.newBaseManager()) {
            Files.writeString(dir.resolve("precision.txt"), EngineCheck.settings().precision().token());
            for (Map.Entry<String, NDArray> e : pass(m).entrySet()) {
                Npy.write(dir.resolve(e.getKey() + ".npy"), e.getValue());
            }
        }
    }

    /** Logits and conv-weight gradients of one training pass (loss = sum of squared logits), by name. */
    static Map<String, NDArray> pass(NDManager m) {
        Runtime.init();
        Engine.getInstance().setRandomSeed(3);
        ModelOptions o = Zoo.get("resnet18").defaults().withClasses(10).withInput(3, 32, 32).withWidthMultiplier(0.25);
        ConvNet net = Zoo.create("resnet18", o).setEngine(EngineCheck.settings()).initialize(m);
        NDArray x = m.randomNormal(new Shape(16, 3, 32, 32));
        Map<String, NDArray> out = new LinkedHashMap<>();
        out.put("eval", net.forward(new ParameterStore(m, false), new NDList(x), false).singletonOrThrow());
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray y = net.forward(new ParameterStore(m, false), new NDList(x), true).singletonOrThrow();
            out.put("logits", y.duplicate());
            gc.backward(y.square().sum());
        }
        int i = 0;
        for (Map.Entry<String, Parameter> e : net.parametersByPath().entrySet()) {
            NDArray w = e.getValue().getArray();
            if (w.hasGradient() && w.getShape().dimension() == 4) {
                out.put(String.format(Locale.ROOT, "grad%02d", i++), w.getGradient().duplicate());
            }
        }
        return out;
    }

    static double relative(NDArray a, NDArray ref) {
        return a.sub(ref).abs().max().getFloat() / ref.abs().max().getFloat();
    }

    @Test
    void trainingPassInBf16IsWithinTheBoundOfFp32(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(EngineCheck.cpuHasBf16(), "skipped: this CPU has no bfloat16 instructions"
                + " (--precision bf16 runs fp32 here)");
        Assumptions.assumeTrue(EngineCheck.processPrecision() == Precision.FP32, "skipped: this JVM computes bf16");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "-Dai.djl.offline=true",
                "-Dai.djl.pytorch.num_interop_threads=1", Bf16Test.class.getName(), dir.toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("log").toFile());
        pb.environment().put(EngineCheck.FPMATH_ENV, "BF16");
        Process p = pb.start();
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), "the bf16 child hung");
        assertEquals(0, p.exitValue(), "the bf16 child failed:\n" + Files.readString(dir.resolve("log")));
        assertEquals("bf16", Files.readString(dir.resolve("precision.txt")), "the child's settings say bf16");
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> fp32 = pass(m);
            double logits = relative(Npy.readFloat32(dir.resolve("logits.npy"), "bf16", m), fp32.get("logits"));
            double eval = relative(Npy.readFloat32(dir.resolve("eval.npy"), "bf16", m), fp32.get("eval"));
            // gradients: one cosine over all conv weights (per tensor, train-mode BatchNorm on a random
            // network makes relative errors of 30-70% normal, PyTorch's autocast included)
            List<String> grads = fp32.keySet().stream().filter(k -> k.startsWith("grad")).toList();
            NDArray g16 = NDArrays.concat(new NDList(grads.stream()
                    .map(k -> Npy.readFloat32(dir.resolve(k + ".npy"), "bf16", m).flatten()).toArray(NDArray[]::new)));
            NDArray g32 = NDArrays.concat(new NDList(grads.stream().map(k -> fp32.get(k).flatten()).toArray(NDArray[]::new)));
            double cosine = g16.dot(g32).getFloat() / Math.sqrt(g16.dot(g16).getFloat() * g32.dot(g32).getFloat());
            System.out.printf(Locale.ROOT, "bf16 vs fp32, resnet18/4, batch 16: eval logits %.2e, training logits %.2e,"
                    + " gradient cosine %.4f (%d conv weights)%n", eval, logits, cosine, grads.size());
            assertTrue(eval < EVAL_BOUND, "evaluation logits: " + eval);
            assertTrue(logits < TRAIN_BOUND, "training logits: " + logits);
            assertTrue(cosine > COSINE_BOUND, "gradient cosine: " + cosine);
            if (logits < 1e-6) {
                // oneDNN computed float32 under the bf16 mode on this CPU: the self-check must have
                // seen the same, so that --precision bf16 says so and starts no bf16 process
                EngineCheck.Options o = EngineCheck.Options.defaults();
                CheckReport report = EngineCheck.report(o, false);
                String trained = EngineCheck.choose(report, EngineSettings.Spec.AUTO, EngineCheck.levers(o)).settings()
                        .forTraining().layout().token();
                String why = EngineCheck.whyNotBf16(report, EngineSettings.Spec.AUTO, EngineCheck.levers(o), true);
                assertTrue(why != null && why.startsWith("bf16 on " + trained + " no effect"),
                        "bf16 logits equal fp32's (" + logits + "), yet the self-check says: " + why);
                return;
            }
            assertTrue(logits > 1e-4, "bf16 logits off fp32's by " + logits + ": bfloat16 ran, or it did not at all");
        }
    }

    @Test
    void bf16AskedInAFp32ProcessRunsFp32() {
        Assumptions.assumeTrue(EngineCheck.processPrecision() == Precision.FP32, "skipped: this JVM computes bf16");
        EngineSettings bf16 = EngineSettings.PLAIN.withPrecision(Precision.BF16);
        assertEquals(EngineSettings.PLAIN, EngineCheck.available(bf16), "the process's own precision, said in one line");
        assertEquals(Precision.BF16, Precision.parse(" BF16", "--precision"));
    }
}
