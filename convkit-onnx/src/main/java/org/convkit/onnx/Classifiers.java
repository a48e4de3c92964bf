package org.convkit.onnx;

import java.nio.file.Path;
import java.util.Locale;
import org.convkit.core.ConvkitException;
import org.convkit.core.EngineSettings;
import org.convkit.eval.Classifier;
import org.convkit.eval.TorchClassifier;
import org.convkit.eval.Tta;
import org.convkit.model.engine.EngineCheck;
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
 *   <li>{@code auto} (the default): {@code onnx} where the work allows it and ONNX Runtime passed
 *       its self-check here, else {@code torch}; one INFO line says which ran and why ({@link
 *       #choose}).
 * </ul>
 *
 * <p>ONNX Runtime runs only where it passed the engine self-check on this machine ({@link
 * OnnxCheck}); elsewhere a model source runs on libtorch (one WARN line for {@code onnx}, INFO for
 * {@code auto}) and a bare {@code .onnx} file is refused ({@link OnnxClassifier#open}).
 */
public final class Classifiers {
    /**
     * The engines. The default is {@link #DEFAULT}; bench/inference.sh measures libtorch and ONNX
     * Runtime side by side (see docs/onnx.md for which is faster where).
     */
    public enum Engine {
        TORCH,
        ONNX,
        /** ONNX Runtime where it may run this work here, else libtorch ({@link #choose}). */
        AUTO;

        public static Engine parse(String s) {
            try {
                return valueOf(s.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException | NullPointerException e) {
                throw new ConvkitException("--engine " + s + ": expected auto (the default), torch (libtorch) or onnx"
                        + " (ONNX Runtime)");
            }
        }

        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * The engine used when none is named: ONNX Runtime was 1.2x to 9x libtorch's throughput in
     * bench/inference.sh (bench/RESULTS.md), so it runs wherever it may (docs/onnx.md).
     */
    public static final Engine DEFAULT = Engine.AUTO;

    /**
     * How to open.
     *
     * @param device cpu, cuda, cuda:N (libtorch only; ONNX Runtime runs on the CPU)
     * @param transforms a {@code --transforms} override of the model's evaluation image steps, or null
     * @param maxBatch images per forward pass in {@link Classifier#predict}
     * @param threads ONNX Runtime's intra-op threads (0 = one per core); libtorch's come from
     *     {@link org.convkit.core.Runtime}
     * @param tta test-time augmentation (libtorch only; null = none)
     * @param precision {@code --precision} as asked for (bf16 is libtorch's), or null
     */
    public record Options(String device, String transforms, int maxBatch, int threads, Tta tta,
            EngineSettings.Precision precision) {
        public Options {
            tta = tta == null ? Tta.NONE : tta;
        }

        /** Without a precision asked for. */
        public Options(String device, String transforms, int maxBatch, int threads, Tta tta) {
            this(device, transforms, maxBatch, threads, tta, null);
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

    /**
     * @param model an exported .onnx file, a run folder or a checkpoint directory
     * @throws ConvkitException when the engine cannot run what {@code model} names
     */
    public static Classifier open(Path model, Engine engine, Options o) {
        if (!ModelSource.isOnnxFile(model)) {
            return open(ModelSource.checkpoint(model), engine, o);
        }
        // auto: ONNX Runtime is the only engine that runs a bare .onnx file, under the same rules as onnx
        checkOnnxFile(model, engine, o.tta());
        requireCpu(o);
        OnnxClassifier c = OnnxClassifier.open(model, onnxOptions(o));
        if (engine == Engine.AUTO) {
            LOG.info("engine: auto -> {} ({} is an ONNX file)", c.engine(), model.getFileName());
        }
        return c;
    }

    /**
     * @param model a convkit checkpoint, or a zoo model with imported weights; for ONNX Runtime it
     *     is exported in memory first
     */
    public static Classifier open(ModelSource model, Engine engine, Options o) {
        if (engine == Engine.AUTO) {
            return openAuto(model, o);
        }
        if (engine == Engine.TORCH) {
            return torch(model, o);
        }
        requireCpu(o);
        requireNoTta(o);
        if (!OnnxCheck.usable()) {
            // ONNX Runtime failed the engine self-check here: the same model on libtorch instead
            LOG.warn(OnnxCheck.fallback());
            return TorchClassifier.open(model, new TorchClassifier.Options("cpu", o.transforms(), o.maxBatch()));
        }
        return exported(model, o);
    }

    /**
     * Why {@code auto} runs libtorch for work {@code o} here, or null when it runs ONNX Runtime:
     * first what the user asked for that only libtorch does (a GPU, test-time augmentation, bf16,
     * a libtorch path forced with {@code CONVKIT_ENGINE}), then what this machine's self-check of
     * ONNX Runtime said (it must have passed: unchecked is not enough, unless {@code CONVKIT_ENGINE}
     * forces {@code onnxruntime}). Asks {@link OnnxCheck} (a child process the first time on a
     * machine) only when the work itself allows ONNX Runtime.
     */
    public static String choose(Options o) {
        String user = userChoice(o);
        if (user != null) {
            return user;
        }
        OnnxCheck.Verdict v = OnnxCheck.verdict();
        if (v.result() != null && v.result().passed()) {
            return null;
        }
        if (EngineCheck.forced().onnxRuntime() && OnnxCheck.usable()) {
            return null; // forced: said loudly by usable()
        }
        return "onnxruntime " + v.summary() + " (convkit doctor for details)";
    }

    /** What the user asked for that ONNX Runtime does not do, or null (doctor's "auto" row asks too). */
    public static String userChoice(Options o) {
        if (o.device() != null && !o.device().trim().equalsIgnoreCase("cpu")) {
            return "--device " + o.device().trim() + " (convkit runs ONNX Runtime on the CPU only)";
        }
        if (o.tta() != Tta.NONE) {
            return "--tta " + o.tta().token() + " (test-time augmentation runs on libtorch only)";
        }
        if (o.precision() == EngineSettings.Precision.BF16
                || EngineCheck.processPrecision() == EngineSettings.Precision.BF16) {
            return "--precision bf16 (bfloat16 is libtorch's)";
        }
        EngineSettings.Spec forced = EngineCheck.forced();
        if (!forced.onnxRuntime() && (forced.layout() != null || forced.foldBatchNorm() != null
                || forced.freeIntermediates() != null || forced.precision() == EngineSettings.Precision.BF16)) {
            // the user set up libtorch's path by hand: run what they set up
            return EngineCheck.forcedBy() + "=" + forced + " (settings of libtorch)";
        }
        return null;
    }

    private static Classifier openAuto(ModelSource model, Options o) {
        String why = choose(o);
        if (why != null) {
            // said first: opening may fail for the very reason (--device cuda on a CPU-only libtorch)
            LOG.info("engine: auto -> libtorch: {}", why);
            return torch(model, o);
        }
        // loaded as libtorch would run it (a model that does not load fails here, as with torch) ...
        TorchClassifier source = TorchClassifier.open(model, new TorchClassifier.Options("cpu", o.transforms(), o.maxBatch()));
        OnnxClassifier c;
        try {
            c = exported(source, model, o);
        } catch (ConvkitException e) {
            // ... and run so when it does not export (a block the exporter does not know) or the
            // export's own comparison with libtorch failed
            LOG.info("engine: auto -> libtorch: the model does not run in ONNX Runtime ({})", e.getMessage());
            return source;
        } catch (RuntimeException | Error e) {
            source.close();
            throw e;
        }
        source.close(); // libtorch's copy is not needed any more
        OnnxCheck.Verdict v = OnnxCheck.verdict();
        LOG.info("engine: auto -> {} ({}; --engine torch runs libtorch)", c.engine(),
                v.result() != null && v.result().passed() ? "passed its self-check here"
                        : EngineCheck.forcedBy() + " forces onnxruntime");
        return c;
    }

    private static TorchClassifier torch(ModelSource model, Options o) {
        return TorchClassifier.open(model, new TorchClassifier.Options(o.device(), o.transforms(), o.maxBatch(), o.tta()));
    }

    /** {@code model} exported in memory (checked against libtorch) on ONNX Runtime, libtorch's copy freed. */
    private static Classifier exported(ModelSource model, Options o) {
        try (TorchClassifier source = TorchClassifier.open(model, new TorchClassifier.Options("cpu", null, o.maxBatch()))) {
            return exported(source, model, o);
        }
    }

    /**
     * {@code source} (the libtorch copy of {@code model}, closed by the caller) exported and opened
     * in ONNX Runtime: the session the export's check ran in is the one that predicts.
     */
    private static OnnxClassifier exported(TorchClassifier source, ModelSource model, Options o) {
        OnnxCheck.require(source.card().name() + " (exported from " + model.describe() + ")");
        return OnnxExport.open(source, OnnxExport.Options.defaults(), onnxOptions(o));
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

    /**
     * Refuses what an exported .onnx file does not run with: libtorch ({@code --engine torch}) and
     * test-time augmentation, since ONNX Runtime is the only engine that runs the file. What {@link
     * #open(Path, Engine, Options)} checks first, for callers that open the file later or elsewhere
     * (a Spark job's executors).
     */
    public static void checkOnnxFile(Path model, Engine engine, Tta tta) {
        if (engine == Engine.TORCH) {
            throw new ConvkitException(model + " is an ONNX file: run it with --engine onnx (libtorch runs convkit"
                    + " checkpoints and imported weights)");
        }
        checkTta(Engine.ONNX, tta);
    }

    private static OnnxClassifier.Options onnxOptions(Options o) {
        return new OnnxClassifier.Options(o.transforms(), o.maxBatch(), o.threads());
    }
}
