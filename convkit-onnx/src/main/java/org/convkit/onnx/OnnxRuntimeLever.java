package org.convkit.onnx;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.convkit.core.EngineSettings;
import org.convkit.model.engine.BlockProbe;
import org.convkit.model.engine.Lever;
import org.convkit.model.engine.Probe;
import org.convkit.model.engine.Probes;

/**
 * ONNX Runtime ({@code --engine onnx}) as a path of the engine self-check: the core's probes (the
 * zoo's convolutions, the layers probe, the conv + BatchNorm chain) exported by convkit's own
 * exporter ({@link OnnxExport#blockModel}), run in ONNX Runtime's CPU kernels (MLAS, chosen by
 * the CPU's instruction set) and compared with libtorch's float64 results on the same weights and
 * inputs, the reference the core computes for its own probes. ONNX Runtime only runs forward
 * passes: the probes are evaluation-mode, with BatchNorm kept as a node and folded into the
 * convolution, as {@code convkit export} writes either.
 *
 * <p>A {@link Lever#standalone standalone} lever: the core runs it in a child process of its own
 * and caches its result beside libtorch's ({@link OnnxCheck}); it is never one of libtorch's paths.
 * The core does not know this module: it makes the lever by class name in its child process, whose
 * class path is this process's.
 */
public class OnnxRuntimeLever implements Lever {
    /** The path's name in results, the cache and {@code convkit doctor}. */
    public static final String NAME = "onnxruntime";
    /** What the path is checked for. */
    public static final String CHECKED_FOR = "prediction with --engine onnx (forward only)";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean standalone() {
        return true;
    }

    @Override
    public boolean byDefault() {
        return false;
    }

    @Override
    public EngineSettings enable(EngineSettings base) {
        return base;
    }

    @Override
    public boolean isOn(EngineSettings settings) {
        return false; // not a libtorch setting
    }

    @Override
    public String checkedFor(EngineSettings settings) {
        return CHECKED_FOR;
    }

    /**
     * Every convolution of the core's table at its batch size (1 to 16), forward; the layers probe
     * (BatchNorm, ReLU, sigmoid, max/average/adaptive pooling, residual Add, Concat, Flatten, Gemm)
     * and the conv + BatchNorm chain, each exported with BatchNorm kept and folded.
     */
    @Override
    public List<Probe> probes(EngineSettings settings) {
        List<Probe> out = new ArrayList<>();
        for (BlockProbe p : Probes.CONVOLUTIONS) {
            out.add(probe(p.forwardOnly(), true));
        }
        List<BlockProbe> withBatchNorm = new ArrayList<>(Probes.FOLDED);
        Probes.LAYERS.stream().filter(p -> p.mode() == BlockProbe.Mode.EVAL).forEach(withBatchNorm::add);
        for (BlockProbe p : withBatchNorm) {
            out.add(probe(p, false));
            out.add(probe(p, true));
        }
        return out;
    }

    /** ONNX Runtime's version and the {@code ORT_*} variables set: a change checks again. */
    @Override
    public Map<String, Object> fingerprint() {
        Map<String, String> env = new TreeMap<>();
        System.getenv().forEach((k, v) -> {
            if (k.startsWith("ORT_")) {
                env.put(k, v);
            }
        });
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("onnxruntime", version());
        f.put("onnxruntimeEnv", env);
        return f;
    }

    /**
     * ONNX Runtime's version (without loading its native library): as the build stamped it, else
     * from its jar's manifest.
     */
    public static String version() {
        try (java.io.InputStream in = OnnxRuntimeLever.class.getResourceAsStream("onnxruntime.properties")) {
            if (in != null) {
                java.util.Properties p = new java.util.Properties();
                p.load(in);
                String v = p.getProperty("version");
                if (v != null && !v.isBlank() && !v.startsWith("$")) {
                    return v.trim();
                }
            }
        } catch (java.io.IOException e) {
            // fall through to the manifest
        }
        String v = OrtEnvironment.class.getPackage().getImplementationVersion();
        return v == null ? "unknown" : v;
    }

    /**
     * {@code base} (an evaluation-mode probe) exported and run in ONNX Runtime; its float64
     * reference is libtorch's, as the core's probes compute it.
     *
     * @param foldBatchNorm export with BatchNorm folded (else BatchNormalization nodes)
     */
    public static Probe probe(BlockProbe base, boolean foldBatchNorm) {
        return new OrtProbe(base, foldBatchNorm);
    }

    /** One probe exported and run in ONNX Runtime. */
    static final class OrtProbe implements Probe {
        private final BlockProbe base;
        private final boolean fold;
        private final String name;

        OrtProbe(BlockProbe base, boolean fold) {
            if (base.mode() != BlockProbe.Mode.EVAL) {
                throw new IllegalArgumentException("ONNX Runtime runs forward passes only: " + base.name());
            }
            this.base = base;
            this.fold = fold;
            boolean batchNorm = Probes.FOLDED.contains(base) || Probes.LAYERS.contains(base);
            this.name = base.name() + " in ONNX Runtime" + (batchNorm ? fold ? ", BatchNorm folded" : ", BatchNorm kept" : "");
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public String usedBy() {
            return base.usedBy();
        }

        @Override
        public double tolerance(String quantity, EngineSettings settings) {
            return BlockProbe.FORWARD_FP32;
        }

        /**
         * float64: libtorch's evaluation pass (the reference). float32: the block with the same
         * values, exported at the default opset and run in ONNX Runtime with the session options
         * {@link OnnxClassifier} uses, on the same input.
         */
        @Override
        public Map<String, NDArray> run(NDManager m, EngineSettings settings, DataType dtype) {
            if (dtype != DataType.FLOAT32) {
                return base.run(m, EngineSettings.PLAIN, dtype);
            }
            Block b = base.initializedBlock(m, DataType.FLOAT32);
            byte[] model = OnnxExport.blockModel(b, base.name(), base.input(),
                    OnnxExport.Options.defaults().withFoldBatchNorm(fold));
            float[] x = base.inputValues(m, DataType.FLOAT32).toFloatArray();
            OrtEnvironment env = OnnxClassifier.environment();
            try (OrtSession.SessionOptions so = OnnxClassifier.sessionOptions(0);
                    OrtSession session = env.createSession(model, so);
                    OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), base.input().getShape());
                    OrtSession.Result r = session.run(Map.of("x", t))) {
                OnnxTensor y = (OnnxTensor) r.get(0);
                FloatBuffer fb = y.getFloatBuffer();
                float[] values = new float[fb.remaining()];
                fb.get(values);
                Map<String, NDArray> out = new LinkedHashMap<>();
                out.put("forward", m.create(values, new Shape(y.getInfo().getShape())));
                return out;
            } catch (OrtException e) {
                throw new IllegalStateException("ONNX Runtime " + env.getVersion() + ": " + OnnxClassifier.reason(e), e);
            }
        }

        @Override
        public String toString() {
            return name;
        }
    }
}
