package org.convkit.onnx;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.convkit.core.AtomicFiles;
import org.convkit.core.ConvkitException;
import org.convkit.eval.Classifier;
import org.convkit.eval.ModelCard;
import org.convkit.eval.TorchClassifier;
import org.convkit.model.ConvNet;
import org.convkit.onnx.proto.Onnx;

/**
 * Writes a convkit network as an ONNX file: the graph of its evaluation pass ({@link
 * NetworkTracer}), its weights as initializers, one input {@code image} of shape (N, C, H, W) and
 * one output per head ({@code logits}, or {@code logits_0} ... for K heads) of shape (N, classes),
 * and its {@link ModelCard} in the metadata ({@link OnnxMetadata}).
 *
 * <p>Before a file is written it is loaded in ONNX Runtime (an opset or graph it cannot run is
 * refused there, and nothing is written) and, by default, checked: ONNX Runtime's scores on a
 * seeded random batch against convkit's own forward pass, max |diff| / max |score| at most {@link
 * #TOLERANCE}. The file is written atomically.
 */
public final class OnnxExport {
    /** What Debian's python3-onnx (1.12) checker and torch 1.13's exporter know. */
    public static final int DEFAULT_OPSET = 17;
    /** The oldest opset whose operators mean what the exporter writes. */
    public static final int MIN_OPSET = 13;
    /** The newest opset whose IR version the exporter knows. */
    public static final int MAX_OPSET = 23;
    /** The graph's input name. */
    public static final String INPUT = "image";
    /** Largest accepted max |diff| / max |score| between ONNX Runtime and convkit in the check. */
    public static final double TOLERANCE = 1e-4;

    /**
     * @param opset the default ONNX operator set's version
     * @param batch the batch size fixed in the file, or 0 for a dynamic batch ("N")
     * @param foldBatchNorm fold BatchNorm into the preceding Conv/Linear (else BatchNormalization
     *     nodes, which ONNX Runtime fuses itself when it optimizes)
     * @param check compare ONNX Runtime's scores with convkit's before writing
     */
    public record Options(int opset, int batch, boolean foldBatchNorm, boolean check) {
        public Options {
            if (opset < MIN_OPSET || opset > MAX_OPSET) {
                throw new ConvkitException("--opset " + opset + ": convkit exports opsets " + MIN_OPSET + " to "
                        + MAX_OPSET + " (default " + DEFAULT_OPSET + ")");
            }
            if (batch < 0) {
                throw new ConvkitException("--batch " + batch + ": give dynamic or a positive size");
            }
        }

        public static Options defaults() {
            return new Options(DEFAULT_OPSET, 0, true, true);
        }

        public Options withOpset(int v) {
            return new Options(v, batch, foldBatchNorm, check);
        }

        public Options withBatch(int v) {
            return new Options(opset, v, foldBatchNorm, check);
        }

        public Options withFoldBatchNorm(boolean v) {
            return new Options(opset, batch, v, check);
        }

        public Options withCheck(boolean v) {
            return new Options(opset, batch, foldBatchNorm, v);
        }
    }

    /**
     * What an export did.
     *
     * @param file where it went (null when kept in memory)
     * @param bytes the file's size
     * @param nodes operator nodes in the graph
     * @param foldedBatchNorms BatchNorms folded into a Conv or Gemm
     * @param maxRelativeDiff the check's max |diff| / max |score| (NaN when not checked)
     * @param runtime the ONNX Runtime that loaded it
     */
    public record Report(Path file, long bytes, int nodes, int foldedBatchNorms, double maxRelativeDiff, String runtime) {
        public String describe() {
            return String.format(Locale.ROOT, "%d nodes, %d BatchNorm(s) folded, %.1f MB%s, loads in %s", nodes,
                    foldedBatchNorms, bytes / 1e6,
                    Double.isNaN(maxRelativeDiff) ? "" : String.format(Locale.ROOT,
                            ", scores match convkit's within %.1e of the largest", maxRelativeDiff), runtime);
        }
    }

    /** A model and what building it did. */
    record Built(Onnx.ModelProto model, int foldedBatchNorms) {}

    private OnnxExport() {}

    /** The graph's output names: "logits" for one head, "logits_0" ... for several. */
    public static List<String> outputNames(int heads) {
        List<String> names = new ArrayList<>();
        for (int h = 0; h < heads; h++) {
            names.add(heads == 1 ? "logits" : "logits_" + h);
        }
        return names;
    }

    /** The IR version that goes with an opset (the ONNX release that introduced the opset). */
    static long irVersion(int opset) {
        return switch (opset) {
            case 13, 14 -> 7;
            case 15, 16, 17, 18 -> 8;
            case 19, 20 -> 9;
            case 21, 22 -> 10;
            case 23 -> 11;
            default -> throw new IllegalArgumentException("no IR version known for opset " + opset);
        };
    }

    /** The ONNX model of {@code net} (initialized, weights loaded), described by {@code card}. */
    static Built build(ConvNet net, ModelCard card, Options o) {
        OnnxGraph g = new OnnxGraph();
        g.reserve(INPUT);
        outputNames(card.heads()).forEach(g::reserve); // no intermediate value may take an output's name
        List<String> outs = NetworkTracer.trace(g, net, INPUT);
        int folded = o.foldBatchNorm() ? BatchNormFold.apply(g) : 0;
        return new Built(model(g, outs, card, o), folded);
    }

    /**
     * A graph traced from {@link #INPUT} to {@code outs} (one value per head) as a model file:
     * outputs renamed {@link #outputNames}, input and output types, versions, the card as metadata.
     */
    static Onnx.ModelProto model(OnnxGraph g, List<String> outs, ModelCard card, Options o) {
        List<String> names = outputNames(card.heads());
        for (int h = 0; h < outs.size(); h++) {
            g.rename(outs.get(h), names.get(h));
        }
        Onnx.GraphProto.Builder graph = g.toProto(card.name());
        Onnx.TensorShapeProto.Dimension batch = o.batch() > 0
                ? Onnx.TensorShapeProto.Dimension.newBuilder().setDimValue(o.batch()).build()
                : Onnx.TensorShapeProto.Dimension.newBuilder().setDimParam("N").build();
        graph.addInput(value(INPUT, batch, card.channels(), card.height(), card.width()));
        for (String n : names) {
            graph.addOutput(value(n, batch, card.classes().size()));
        }
        graph.setDocString("convkit " + card.architecture() + " " + card.input() + " -> " + (card.heads() > 1
                ? card.heads() + " heads of " : "") + card.classes().size() + " classes; input: " + card.transforms()
                + ", then ToTensor and " + card.normalize().spec());
        Onnx.ModelProto.Builder m = Onnx.ModelProto.newBuilder()
                .setIrVersion(irVersion(o.opset()))
                .setProducerName("convkit")
                .setProducerVersion(version())
                .setDomain("org.convkit")
                .setModelVersion(1)
                .setDocString(card.toString())
                .setGraph(graph)
                .addOpsetImport(Onnx.OperatorSetIdProto.newBuilder().setDomain("").setVersion(o.opset()));
        OnnxMetadata.of(card, INPUT, names, version()).forEach((k, v) ->
                m.addMetadataProps(Onnx.StringStringEntryProto.newBuilder().setKey(k).setValue(v)));
        return m.build();
    }

    /**
     * A block on its own as an ONNX model (the engine check's probes, {@link OnnxRuntimeLever}): the
     * same tracer, BatchNorm folding and model framing as a network's export, one input {@code x}
     * of shape (N, C, H, W) with a dynamic batch, one output {@code y}.
     *
     * @param block initialized, float32
     * @param input the input's shape (its batch size is not fixed in the file)
     */
    static byte[] blockModel(ai.djl.nn.Block block, String name, ai.djl.ndarray.types.Shape input, Options o) {
        OnnxGraph g = new OnnxGraph();
        g.reserve("x");
        g.reserve("y");
        String out = NetworkTracer.traceBlock(g, block, name, "x", input);
        if (o.foldBatchNorm()) {
            BatchNormFold.apply(g);
        }
        g.rename(out, "y");
        Onnx.TensorShapeProto.Dimension batch = Onnx.TensorShapeProto.Dimension.newBuilder().setDimParam("N").build();
        long[] y = block.getOutputShapes(new ai.djl.ndarray.types.Shape[] {input})[0].getShape();
        int[] yDims = new int[y.length - 1];
        for (int i = 1; i < y.length; i++) {
            yDims[i - 1] = Math.toIntExact(y[i]);
        }
        Onnx.GraphProto.Builder graph = g.toProto(name)
                .addInput(value("x", batch, Math.toIntExact(input.get(1)), Math.toIntExact(input.get(2)),
                        Math.toIntExact(input.get(3))))
                .addOutput(value("y", batch, yDims));
        return Onnx.ModelProto.newBuilder()
                .setIrVersion(irVersion(o.opset()))
                .setProducerName("convkit")
                .setProducerVersion(version())
                .setGraph(graph)
                .addOpsetImport(Onnx.OperatorSetIdProto.newBuilder().setDomain("").setVersion(o.opset()))
                .build().toByteArray();
    }

    /**
     * Exports the network a libtorch classifier runs, checks it in ONNX Runtime and writes it to
     * {@code out} (atomically; nothing is written when a step fails).
     */
    public static Report write(TorchClassifier source, Path out, Options o) {
        Built built = build(source.network(), source.card(), o);
        byte[] bytes = built.model().toByteArray();
        double diff = verify(bytes, source, o);
        try {
            AtomicFiles.write(out, stream -> stream.write(bytes));
        } catch (IOException e) {
            throw new ConvkitException(out + ": cannot write (" + e.getMessage() + ")", e);
        }
        return new Report(out, bytes.length, built.model().getGraph().getNodeCount(), built.foldedBatchNorms(), diff,
                "ONNX Runtime " + OnnxClassifier.environment().getVersion());
    }

    /** The exported model's bytes, checked, without writing a file (e.g. to hand to another process). */
    public static byte[] bytes(TorchClassifier source, Options o) {
        byte[] bytes = build(source.network(), source.card(), o).model().toByteArray();
        verify(bytes, source, o);
        return bytes;
    }

    /**
     * The export of {@code source}, checked as {@link #write} checks it, open in ONNX Runtime to
     * run with {@code run}: the session the check ran in, so that a caller that predicts with the
     * export at once (the engines {@code auto} and {@code onnx} given a checkpoint) does not build
     * a second session of the same model. The caller closes it.
     */
    public static OnnxClassifier open(TorchClassifier source, Options o, OnnxClassifier.Options run) {
        byte[] bytes = build(source.network(), source.card(), o).model().toByteArray();
        OnnxClassifier onnx = load(bytes, source.card(), o, run);
        try {
            check(onnx, source, o);
            return onnx;
        } catch (RuntimeException e) {
            onnx.close();
            throw e;
        }
    }

    /**
     * Loads the model in ONNX Runtime and, when asked, compares its scores with {@code reference}'s
     * on a seeded random batch.
     *
     * @return max |diff| / max |score| over every head, NaN when not compared
     */
    private static double verify(byte[] model, Classifier reference, Options o) {
        try (OnnxClassifier onnx = load(model, reference.card(), o, OnnxClassifier.Options.defaults())) {
            return check(onnx, reference, o);
        }
    }

    /** The export in ONNX Runtime; a model it cannot load is said with what to do. */
    private static OnnxClassifier load(byte[] model, ModelCard card, Options o, OnnxClassifier.Options run) {
        try {
            return OnnxClassifier.load(model, card.name() + " (exported, opset " + o.opset() + ")", run);
        } catch (ConvkitException e) {
            String why = e.getCause() instanceof ai.onnxruntime.OrtException ort ? OnnxClassifier.reason(ort) : e.getMessage();
            throw new ConvkitException("the export of " + card.name() + " at opset " + o.opset() + " does not load in ONNX Runtime "
                    + OnnxClassifier.environment().getVersion() + " (" + why + "), so nothing was written"
                    + (o.opset() != DEFAULT_OPSET ? "; use an older --opset (default " + DEFAULT_OPSET + ")" : ""), e);
        }
    }

    /**
     * Compares {@code onnx}'s scores with {@code reference}'s on a seeded random batch (when {@code
     * o} asks for the check).
     *
     * @return max |diff| / max |score| over every head, NaN when not compared
     */
    private static double check(OnnxClassifier onnx, Classifier reference, Options o) {
        if (!o.check()) {
            return Double.NaN;
        }
        ModelCard card = reference.card();
        int n = o.batch() > 0 ? o.batch() : 2;
        float[] x = new float[n * onnx.preprocessor().imageSize()];
        SplittableRandom rnd = new SplittableRandom(17);
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (rnd.nextDouble() * 4 - 2); // normalized pixels lie about here
        }
        double diff = relativeDiff(reference.logits(x, n), onnx.logits(x, n));
        if (!(diff <= TOLERANCE)) {
            throw new ConvkitException(String.format(Locale.ROOT, "the export of %s computes other scores in ONNX Runtime"
                    + " than convkit does (max |diff| = %.2e of the largest score, allowed %.0e), so nothing was"
                    + " written; please report this with the model's architecture (%s)", card.name(), diff, TOLERANCE,
                    card.architecture()));
        }
        return diff;
    }

    /** max |a - b| / max |a| over every head. */
    static double relativeDiff(float[][] a, float[][] b) {
        double diff = 0;
        double max = 0;
        for (int h = 0; h < a.length; h++) {
            for (int i = 0; i < a[h].length; i++) {
                diff = Math.max(diff, Math.abs(a[h][i] - b[h][i]));
                max = Math.max(max, Math.abs(a[h][i]));
            }
        }
        return max == 0 ? diff : diff / max;
    }

    /** A float tensor value of shape (batch, dims...). */
    private static Onnx.ValueInfoProto value(String name, Onnx.TensorShapeProto.Dimension batch, int... dims) {
        Onnx.TensorShapeProto.Builder shape = Onnx.TensorShapeProto.newBuilder().addDim(batch);
        for (int d : dims) {
            shape.addDim(Onnx.TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        return Onnx.ValueInfoProto.newBuilder()
                .setName(name)
                .setType(Onnx.TypeProto.newBuilder().setTensorType(Onnx.TypeProto.Tensor.newBuilder()
                        .setElemType(Onnx.TensorProto.DataType.FLOAT_VALUE).setShape(shape)))
                .build();
    }

    /** This convkit's version ("dev" from a source build). */
    static String version() {
        String v = OnnxExport.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }
}
