package org.convkit.model.weights;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.convkit.core.ConvkitException;
import org.convkit.core.EngineSettings;
import org.convkit.core.Npy;
import org.convkit.core.Runtime;
import org.convkit.model.ConvNet;
import org.convkit.model.ModelOptions;
import org.convkit.model.Zoo;
import org.convkit.model.engine.EngineCheck;
import org.convkit.train.loss.CrossEntropy;

/**
 * The convkit side of one row of {@link EngineFidelityTest}, in a JVM of its own: one model loaded
 * with PyTorch's weights and run on every engine path given, printing one {@code RESULT} line per
 * comparison as soon as it is made (so a native crash in a later path keeps the earlier results).
 *
 * <p>Arguments: {@code MODEL CxHxW OPTIONS DATA_PREFIX GRADS SPEC...}: OPTIONS as {@code k=v;k=v};
 * DATA_PREFIX the oracle's files without their suffixes; GRADS 1 to also compare one training step;
 * each SPEC an engine settings spec ({@code channels-last,fold,free,fp32}).
 */
public final class FidelityRun {
    private FidelityRun() {}

    public static void main(String[] args) throws Exception {
        String model = args[0];
        ModelOptions o = options(model, args[1], args[2]);
        Path prefix = Path.of(args[3]);
        boolean grads = args[4].equals("1");
        EngineCheck.use(EngineSettings.PLAIN); // the paths are given: this JVM checks nothing itself
        Runtime.init();
        Map<String, Map<String, float[]>> gradsByLayout = new LinkedHashMap<>();
        Reference ref = null;
        for (int i = 5; i < args.length; i++) {
            EngineSettings s = EngineSettings.Spec.parse(args[i], "path").applyTo(EngineSettings.PLAIN);
            try (NDManager m = NDManager.newBaseManager()) {
                ConvNet net = Zoo.create(model, o).setEngine(s).initialize(m);
                LoadReport r = Weights.load(net, file(prefix, ".pth"), false);
                if (!r.keyStyle().equals("pytorch") || !r.missing().isEmpty() || !r.unexpected().isEmpty()
                        || !r.wrongShape().isEmpty()) {
                    throw new ConvkitException("the reference's state dict does not load by name: " + r.summary());
                }
                NDArray x = Npy.readFloat32(file(prefix, ".x.npy"), "x", m);
                NDArray want = Npy.readFloat32(file(prefix, ".y.npy"), "y", m);
                NDList y = new org.convkit.eval.Evaluator(net, ai.djl.Device.cpu()).logits(x, 2, m);
                NDArray got = y.size() == 1 ? y.head().expandDims(0) : NDArrays.stack(y);
                // heads stacked (K, N, C); torchvision's files hold (N, C)
                result(s, "logits", FidelityTest.relativeError(got, want.reshape(got.getShape())), "");
                if (grads && !gradsByLayout.containsKey(s.layout().token())) {
                    ref = ref != null ? ref : Reference.read(net, prefix);
                    Map<String, float[]> g = step(net, prefix, s, m);
                    gradsByLayout.put(s.layout().token(), g);
                    Worst w = ref.compare(g, ref.exact);
                    result(s, "grads", w.err, w.detail);
                }
            }
        }
        System.out.flush();
        System.exit(0);
    }

    /** One training-mode step: the loss against PyTorch's; returns every parameter's gradient by PyTorch key. */
    private static Map<String, float[]> step(ConvNet net, Path prefix, EngineSettings s, NDManager m) throws Exception {
        NDArray tx = Npy.readFloat32(file(prefix, ".tx.npy"), "tx", m);
        // class indices, saved as float32 (exact for small integers), (N, heads)
        NDArray ty = Npy.readFloat32(file(prefix, ".ty.npy"), "ty", m).toType(DataType.INT64, false);
        double lossWant = new ObjectMapper().readTree(file(prefix, ".loss.json").toFile()).get("loss").asDouble();
        float loss;
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray l = new CrossEntropy(0).compute(net.forward(new ParameterStore(m, false), new NDList(tx), true), ty);
            loss = l.getFloat();
            gc.backward(l);
        }
        result(s, "loss", Math.abs(loss - lossWant) / Math.abs(lossWant), "");
        Map<String, float[]> g = new LinkedHashMap<>();
        for (Map.Entry<String, Parameter> e : net.parametersByPath().entrySet()) {
            if (e.getValue().requiresGradient()) {
                g.put(net.torchKeys().toTorch(e.getKey()).orElseThrow(), e.getValue().getArray().getGradient().toFloatArray());
            }
        }
        return g;
    }

    /**
     * PyTorch's gradients of the step: its float32 ones and the exact (float64) ones. How far a
     * correct float32 computation lands from the exact gradient depends on the network: BatchNorm
     * on the batch statistics of a few values (a 2x2 map over a batch of 4, deep in a resnet50 at
     * 64 pixels) turns rounding into relative errors of 1e-2, and a conv bias right before a
     * BatchNorm has an exact gradient of zero and a float32 one of pure rounding. So a tensor
     * passes when convkit is no further from the exact gradient than {@link #MARGIN} times PyTorch's
     * own float32 distance, plus 1e-5 of its norm (1e-7 of the largest tensor's, for the zeros):
     * a wrong kernel is off by orders of magnitude more.
     *
     * <p>Or no further than {@link #MARGIN} times how far the exact gradient itself moves when the
     * input moves by float32 rounding ({@code ID.kinks.json}, engine_fidelity.py). A gradient is
     * not defined where a ReLU's input is zero or two inputs of a max pooling window tie; where
     * such a point lies within rounding of the step's values, one float32 computation may send
     * the gradient one way and another the other way, and the tensors it flows through are off by
     * percents on a correct engine. Seen: googlenet at 64 px on an AMD Zen 3, all of
     * inception5a.branch2.1.conv.weight's error in its output channel 1 and the layer before it
     * off through small-batch BatchNorm, while PyTorch's float32 happened to go the way float64
     * did (the self-check's version of this: docs/engine.md). The nudged float64 step crosses such
     * a point too, so the allowance grows exactly there, and only as much as the kink moves the
     * gradient; a wrong kernel is off everywhere.
     */
    record Reference(Map<String, float[]> torch32, Map<String, float[]> torchNative, Map<String, float[]> exact,
            Map<String, Double> kinks) {
        static final double MARGIN = 10;

        static Reference read(ConvNet net, Path prefix) {
            Map<String, float[]> t32 = new LinkedHashMap<>();
            Map<String, float[]> t64 = new LinkedHashMap<>();
            Map<String, float[]> tn = new LinkedHashMap<>();
            try (StateDict t = StateDict.read(file(prefix, ".grads.safetensors"));
                    StateDict nat = StateDict.read(file(prefix, ".grads_native.safetensors"));
                    StateDict x = StateDict.read(file(prefix, ".grads64.safetensors"))) {
                for (Map.Entry<String, Parameter> e : net.parametersByPath().entrySet()) {
                    if (!e.getValue().requiresGradient()) {
                        continue;
                    }
                    String key = net.torchKeys().toTorch(e.getKey()).orElseThrow();
                    if (!t.tensors().containsKey(key) || !x.tensors().containsKey(key)) {
                        throw new ConvkitException("PyTorch has no gradient for " + key);
                    }
                    t32.put(key, t.tensors().get(key).toFloatArray());
                    tn.put(key, nat.tensors().get(key).toFloatArray());
                    t64.put(key, x.tensors().get(key).toFloatArray());
                }
            }
            Map<String, Double> kinks = new LinkedHashMap<>();
            try {
                new ObjectMapper().readTree(file(prefix, ".kinks.json").toFile()).fields()
                        .forEachRemaining(e -> kinks.put(e.getKey(), e.getValue().asDouble()));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            return new Reference(t32, tn, t64, kinks);
        }

        /** The worst tensor's distance {@code ||got - want||} over what it is allowed (pass: at most 1). */
        Worst compare(Map<String, float[]> got, Map<String, float[]> want) {
            double largest = 0;
            for (float[] v : exact.values()) {
                largest = Math.max(largest, norm(v, null));
            }
            Worst w = new Worst();
            for (String k : exact.keySet()) {
                float[] a = got.get(k);
                float[] b = want.get(k);
                double n = norm(exact.get(k), null);
                // PyTorch's own float32 distance: the farther of its two kernels (oneDNN, its own)
                double torchOff = Math.max(norm(torch32.get(k), exact.get(k)), norm(torchNative.get(k), exact.get(k)));
                double kink = kinks.getOrDefault(k, 0.0);
                double allowed = MARGIN * Math.max(torchOff, kink) + 1e-5 * n + 1e-7 * largest;
                double off = a == null || a.length != b.length ? Double.POSITIVE_INFINITY : norm(a, b);
                w.add(k, off / allowed, String.format(java.util.Locale.ROOT, "%s:%.1e/(PyTorch-fp32:%.1e,kinks:%.1e)", k,
                        off / Math.max(n, 1e-30), torchOff / Math.max(n, 1e-30), kink / Math.max(n, 1e-30)));
            }
            return w;
        }
    }

    /** ||a - b|| (||a|| for b null); infinite for a NaN. */
    static double norm(float[] a, float[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            double d = b == null ? a[i] : (double) a[i] - b[i];
            sum += d * d;
        }
        return Double.isFinite(sum) ? Math.sqrt(sum) : Double.POSITIVE_INFINITY;
    }

    private static final class Worst {
        double err = 0;
        String detail = "";

        void add(String k, double e, String d) {
            if (!(e <= err)) {
                err = e;
                detail = d;
            }
        }
    }

    private static void result(EngineSettings s, String what, double err, String detail) {
        System.out.println("RESULT path=" + s.spec() + " what=" + what + " err=" + err
                + (detail.isEmpty() ? "" : " detail=" + detail));
        System.out.flush();
    }

    private static Path file(Path prefix, String suffix) {
        Path f = Path.of(prefix + suffix);
        if (!Files.isRegularFile(f)) {
            throw new ConvkitException("missing reference file " + f);
        }
        return f;
    }

    /** The row's options; dropout 0 where the family has dropout (a training step must be deterministic). */
    static ModelOptions options(String model, String input, String spec) {
        ModelOptions o = Zoo.get(model).defaults().withInputSpec(input);
        for (String kv : spec.split(";")) {
            if (kv.isBlank()) {
                continue;
            }
            String[] p = kv.split("=", 2);
            o = switch (p[0]) {
                case "classes" -> o.withClasses(Integer.parseInt(p[1]));
                case "width" -> o.withWidthMultiplier(Double.parseDouble(p[1]));
                case "arch" -> o.withArch(p[1]);
                case "fc" -> o.withFc(p[1]);
                case "stem" -> o.withStem(p[1]);
                case "pool" -> o.withPool(p[1]);
                default -> throw new IllegalArgumentException("option " + p[0]);
            };
        }
        try {
            Zoo.create(model, o.withDropout(0.0));
            return o.withDropout(0.0);
        } catch (ConvkitException noDropout) {
            return o;
        }
    }
}
