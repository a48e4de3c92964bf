package org.convkit.onnx;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.convkit.core.ConvkitException;
import org.convkit.eval.AbstractClassifier;
import org.convkit.eval.Classifier;
import org.convkit.eval.ModelCard;

/**
 * A {@link Classifier} on ONNX Runtime: a file written by {@code convkit export --format onnx},
 * its model card read from the file's metadata, the same preprocessing and answers as the libtorch
 * classifier. Nothing here loads libtorch: a deployment that only runs exported files may leave
 * DJL's native PyTorch artifacts out (docs/onnx.md).
 *
 * <p>Thread-safe: ONNX Runtime sessions run concurrent calls, each on the session's intra-op
 * threads.
 */
public final class OnnxClassifier extends AbstractClassifier {

    /**
     * How to run a file.
     *
     * @param transforms a {@code --transforms} override of the model's evaluation image steps, or null
     * @param maxBatch images per forward pass in {@link #predict}
     * @param threads ONNX Runtime's intra-op threads (0 = one per core)
     */
    public record Options(String transforms, int maxBatch, int threads) {
        public Options {
            if (maxBatch < 1) {
                throw new ConvkitException("--batch-size must be positive, not " + maxBatch);
            }
            if (threads < 0) {
                throw new ConvkitException("--threads must be 0 (all cores) or more, not " + threads);
            }
        }

        public static Options defaults() {
            return new Options(null, 64, 0);
        }
    }

    private final OrtEnvironment env;
    private final OrtSession session;
    private final OrtSession.SessionOptions sessionOptions;
    private final String input;
    private final List<String> outputs;
    /** The batch size the file was exported with, or 0 for a dynamic batch. */
    private final long fixedBatch;
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

    private OnnxClassifier(OrtEnvironment env, OrtSession session, OrtSession.SessionOptions so, ModelCard card,
            String input, List<String> outputs, long fixedBatch, int maxBatch) {
        super(card, maxBatch);
        this.env = env;
        this.session = session;
        this.sessionOptions = so;
        this.input = input;
        this.outputs = List.copyOf(outputs);
        this.fixedBatch = fixedBatch;
    }

    /**
     * Opens an exported file.
     *
     * @throws ConvkitException when the file is missing, not ONNX, or not a convkit export (no model
     *     card, other inputs or outputs)
     */
    public static OnnxClassifier open(Path file, Options o) {
        if (!Files.isRegularFile(file)) {
            throw new ConvkitException(file + ": no such ONNX file; export one with `convkit export --format onnx`");
        }
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new ConvkitException(file + ": cannot read (" + e.getMessage() + ")", e);
        }
        return open(bytes, file.toString(), o);
    }

    /**
     * Opens a model held in memory (an export not written to disk).
     *
     * @param what for messages: the file or what the bytes came from
     * @throws ConvkitException also when ONNX Runtime failed the engine self-check on this machine
     *     ({@link OnnxCheck}, run on the first use in a process) and is not forced
     */
    public static OnnxClassifier open(byte[] model, String what, Options o) {
        OnnxCheck.require(what);
        return load(model, what, o);
    }

    /**
     * Opens a model without asking {@link OnnxCheck}: for the export's own comparison, which runs
     * this model in ONNX Runtime against libtorch on this machine.
     */
    static OnnxClassifier load(byte[] model, String what, Options o) {
        OrtEnvironment env = environment();
        OrtSession.SessionOptions so = sessionOptions(o.threads());
        OrtSession session;
        try {
            session = env.createSession(model, so);
        } catch (OrtException e) {
            so.close();
            throw new ConvkitException(what + ": not an ONNX model ONNX Runtime " + env.getVersion() + " can load ("
                    + reason(e) + ")", e);
        }
        try {
            Map<String, String> meta = session.getMetadata().getCustomMetadata();
            ModelCard card = OnnxMetadata.card(meta, what);
            if (o.transforms() != null) {
                card = card.withTransforms(o.transforms());
            }
            String in = checkInput(session, card, what);
            List<String> outs = checkOutputs(session, card, OnnxMetadata.outputNames(meta), what);
            long batch = ((TensorInfo) session.getInputInfo().get(in).getInfo()).getShape()[0];
            return new OnnxClassifier(env, session, so, card, in, outs, Math.max(0, batch), o.maxBatch());
        } catch (OrtException | RuntimeException e) {
            try {
                session.close();
            } catch (OrtException ignored) {
                // the first error is the one to report
            }
            so.close();
            if (e instanceof RuntimeException re) {
                throw re;
            }
            throw new ConvkitException(what + ": ONNX Runtime cannot describe the model (" + e.getMessage() + ")", e);
        }
    }

    /** ONNX Runtime's process-wide environment (warnings and errors logged only). */
    static OrtEnvironment environment() {
        return OrtEnvironment.getEnvironment(OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR, "convkit");
    }

    /**
     * Full graph optimization, {@code threads} intra-op threads (0 = one per core), and no
     * spin-waiting between calls: the loader's decoding threads share the same cores, and libtorch
     * is run with passive waits too.
     */
    static OrtSession.SessionOptions sessionOptions(int threads) {
        OrtSession.SessionOptions so = new OrtSession.SessionOptions();
        try {
            so.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            so.setIntraOpNumThreads(threads > 0 ? threads : Runtime.getRuntime().availableProcessors());
            so.setInterOpNumThreads(1);
            so.addConfigEntry("session.intra_op.allow_spinning", "0");
            return so;
        } catch (OrtException e) {
            so.close();
            throw new IllegalStateException("ONNX Runtime refused its session options: " + e.getMessage(), e);
        }
    }

    private static String checkInput(OrtSession s, ModelCard card, String what) throws OrtException {
        Map<String, NodeInfo> inputs = s.getInputInfo();
        long[] want = {card.channels(), card.height(), card.width()};
        if (inputs.size() == 1 && inputs.values().iterator().next().getInfo() instanceof TensorInfo t
                && t.type == OnnxJavaType.FLOAT && t.getShape().length == 4
                && Arrays.equals(Arrays.copyOfRange(t.getShape(), 1, 4), want)) {
            return inputs.keySet().iterator().next();
        }
        throw new ConvkitException(what + ": its inputs are " + describe(inputs) + " but its model card says one float"
                + " image batch (N, " + card.channels() + ", " + card.height() + ", " + card.width() + ");"
                + " the file was changed after convkit exported it");
    }

    private static List<String> checkOutputs(OrtSession s, ModelCard card, List<String> named, String what)
            throws OrtException {
        Map<String, NodeInfo> outs = s.getOutputInfo();
        List<String> names = named.isEmpty() ? new ArrayList<>(outs.keySet()) : named;
        boolean ok = names.size() == card.heads() && outs.size() == card.heads();
        for (String n : names) {
            ok &= outs.get(n) != null && outs.get(n).getInfo() instanceof TensorInfo t && t.type == OnnxJavaType.FLOAT
                    && t.getShape().length == 2 && t.getShape()[1] == card.classes().size();
        }
        if (!ok) {
            throw new ConvkitException(what + ": its outputs are " + describe(outs) + " but its model card says "
                    + card.heads() + " output(s) of " + card.classes().size() + " class scores"
                    + "; the file was changed after convkit exported it");
        }
        return names;
    }

    private static String describe(Map<String, NodeInfo> values) {
        List<String> parts = new ArrayList<>();
        values.forEach((name, info) -> parts.add(name + " " + (info.getInfo() instanceof TensorInfo t
                ? t.type + Arrays.toString(t.getShape()) : info.getInfo().toString())));
        return parts.toString();
    }

    @Override
    public String engine() {
        return "ONNX Runtime " + env.getVersion();
    }

    /** The batch size the file was exported with, or 0 when any batch size runs. */
    public long fixedBatch() {
        return fixedBatch;
    }

    @Override
    public float[][] logits(float[] pixels, int n) {
        if (closed.get()) {
            throw closedError();
        }
        int per = preprocessor().checkBatch(pixels, n);
        int classes = card().classes().size();
        float[][] scores = new float[outputs.size()][n * classes];
        // a file exported for a fixed batch runs in chunks of that size, the last one padded
        int chunk = fixedBatch > 0 ? (int) fixedBatch : n;
        for (int from = 0; from < n; from += chunk) {
            int m = Math.min(chunk, n - from);
            float[] x = m == chunk && from == 0 && chunk == n ? pixels : Arrays.copyOfRange(pixels, from * per, (from + chunk) * per);
            float[][] part = run(x, chunk);
            for (int h = 0; h < part.length; h++) {
                System.arraycopy(part[h], 0, scores[h], from * classes, m * classes);
            }
        }
        return scores;
    }

    private float[][] run(float[] x, int n) {
        ModelCard card = card();
        long[] shape = {n, card.channels(), card.height(), card.width()};
        try (OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), shape);
                OrtSession.Result r = session.run(Map.of(input, t))) {
            float[][] out = new float[outputs.size()][];
            for (int h = 0; h < out.length; h++) {
                OnnxTensor y = (OnnxTensor) r.get(outputs.get(h)).orElseThrow();
                FloatBuffer b = y.getFloatBuffer();
                out[h] = new float[b.remaining()];
                b.get(out[h]);
            }
            return out;
        } catch (OrtException e) {
            throw new ConvkitException("ONNX Runtime failed on " + card.name() + " (" + reason(e) + ")", e);
        }
    }

    /** Frees the session; later calls fail, a second close does nothing. */
    @Override
    public void close() {
        if (closed.getAndSet(true)) {
            return;
        }
        try {
            session.close();
        } catch (OrtException e) {
            throw new IllegalStateException("closing the ONNX Runtime session failed: " + e.getMessage(), e);
        } finally {
            sessionOptions.close();
        }
    }

    /**
     * What ONNX Runtime said, without its error code and the C++ location it prefixes ("Error code -
     * ORT_FAIL - message: .../model.cc:181 onnxruntime::Model::Model(...) Unsupported model IR
     * version: 11 ...").
     */
    static String reason(OrtException e) {
        String s = e.getMessage() == null ? "no message" : e.getMessage();
        int nl = s.indexOf('\n');
        s = nl < 0 ? s : s.substring(0, nl);
        int m = s.indexOf("message: ");
        s = m < 0 ? s : s.substring(m + "message: ".length());
        if (s.contains("onnxruntime::")) {
            int close = s.lastIndexOf(") ");
            s = close < 0 ? s : s.substring(close + 2);
        }
        return s.trim();
    }
}
