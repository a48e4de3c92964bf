package org.convkit.onnx;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.convkit.core.ConvkitException;
import org.convkit.eval.Classifier;
import org.convkit.eval.TorchClassifier;
import org.convkit.eval.Tta;
import org.convkit.model.weights.ModelSource;

/**
 * Opens a {@link Classifier} on the engine a user chose: what {@code predict --engine}, the HTTP
 * server and the Spark jobs call with the model path they were given.
 *
 * <ul>
 *   <li>{@code torch}: a {@link ModelSource} (a convkit checkpoint or run folder, or a zoo model
 *       with imported weights) on libtorch.
 *   <li>{@code onnx}: an exported {@code .onnx} file on ONNX Runtime (no libtorch loaded); or a
 *       model source, exported in memory first (that step loads it with libtorch, and checks the
 *       export as {@code convkit export} does).
 * </ul>
 *
 * <p>ONNX Runtime runs only where it passed the engine self-check on this machine ({@link
 * OnnxCheck}); elsewhere a model source runs on libtorch (one WARN line) and a bare {@code .onnx}
 * file is refused ({@link OnnxClassifier#open}).
 */
public final class Classifiers {
    /**
     * The engines. The default is {@link #DEFAULT}; bench/inference.sh measures both side by side
     * (see docs/onnx.md for which is faster where).
     */
    public enum Engine {
        TORCH,
        ONNX;

        public static Engine parse(String s) {
            try {
                return valueOf(s.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException | NullPointerException e) {
                throw new ConvkitException("--engine " + s + ": expected torch (libtorch) or onnx (ONNX Runtime)");
            }
        }

        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** The engine used when none is named. */
    public static final Engine DEFAULT = Engine.TORCH;

    /**
     * How to open.
     *
     * @param device cpu, cuda, cuda:N (libtorch only; ONNX Runtime runs on the CPU)
     * @param transforms a {@code --transforms} override of the model's evaluation image steps, or null
     * @param maxBatch images per forward pass in {@link Classifier#predict}
     * @param threads ONNX Runtime's intra-op threads (0 = one per core); libtorch's come from
     *     {@link org.convkit.core.Runtime}
     * @param tta test-time augmentation (libtorch only; null = none)
     */
    public record Options(String device, String transforms, int maxBatch, int threads, Tta tta) {
        public Options {
            tta = tta == null ? Tta.NONE : tta;
        }

        /** Without test-time augmentation. */
        public Options(String device, String transforms, int maxBatch, int threads) {
            this(device, transforms, maxBatch, threads, Tta.NONE);
        }

        public static Options defaults() {
            return new Options("cpu", null, 64, 0);
        }
    }

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Classifiers.class);

    private Classifiers() {}

    /** Whether {@code model} names an ONNX file (rather than a checkpoint). */
    public static boolean isOnnxFile(Path model) {
        return Files.isRegularFile(model) && model.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".onnx");
    }

    /**
     * @param model an exported .onnx file, a run folder or a checkpoint directory
     * @throws ConvkitException when the engine cannot run what {@code model} names
     */
    public static Classifier open(Path model, Engine engine, Options o) {
        if (!isOnnxFile(model)) {
            return open(ModelSource.checkpoint(model), engine, o);
        }
        if (engine == Engine.TORCH) {
            throw new ConvkitException(model + " is an ONNX file: run it with --engine onnx (libtorch runs convkit"
                    + " checkpoints and imported weights)");
        }
        requireCpu(o);
        requireNoTta(o);
        return OnnxClassifier.open(model, onnxOptions(o));
    }

    /**
     * @param model a convkit checkpoint, or a zoo model with imported weights; for ONNX Runtime it
     *     is exported in memory first
     */
    public static Classifier open(ModelSource model, Engine engine, Options o) {
        if (engine == Engine.TORCH) {
            return TorchClassifier.open(model, new TorchClassifier.Options(o.device(), o.transforms(), o.maxBatch(), o.tta()));
        }
        requireCpu(o);
        requireNoTta(o);
        if (!OnnxCheck.usable()) {
            // ONNX Runtime failed the engine self-check here: the same model on libtorch instead
            LOG.warn(OnnxCheck.fallback());
            return TorchClassifier.open(model, new TorchClassifier.Options("cpu", o.transforms(), o.maxBatch()));
        }
        // export in memory (checked against libtorch), then free libtorch's copy
        byte[] bytes;
        String name;
        try (TorchClassifier source = TorchClassifier.open(model, new TorchClassifier.Options("cpu", null, o.maxBatch()))) {
            bytes = OnnxExport.bytes(source, OnnxExport.Options.defaults());
            name = source.card().name();
        }
        return OnnxClassifier.open(bytes, name + " (exported from " + model.describe() + ")", onnxOptions(o));
    }

    private static void requireCpu(Options o) {
        if (o.device() != null && !o.device().trim().equalsIgnoreCase("cpu")) {
            throw new ConvkitException("--device " + o.device() + ": convkit runs ONNX Runtime on the CPU; use --engine"
                    + " torch for a GPU");
        }
    }

    private static void requireNoTta(Options o) {
        checkTta(Engine.ONNX, o.tta());
    }

    /**
     * Refuses test-time augmentation on an engine that does not run it, for callers that open the
     * model later or elsewhere (a Spark job's executors).
     */
    public static void checkTta(Engine engine, Tta tta) {
        if (engine == Engine.ONNX && tta != null && tta != Tta.NONE) {
            throw new ConvkitException("--tta " + tta.token() + ": test-time augmentation runs on --engine torch");
        }
    }

    private static OnnxClassifier.Options onnxOptions(Options o) {
        return new OnnxClassifier.Options(o.transforms(), o.maxBatch(), o.threads());
    }
}
