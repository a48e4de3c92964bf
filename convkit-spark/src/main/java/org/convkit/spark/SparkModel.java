package org.convkit.spark;

import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.spark.SparkFiles;
import org.convkit.core.ConvkitException;
import org.convkit.core.EngineSettings;
import org.convkit.eval.Classifier;
import org.convkit.eval.Tta;
import org.convkit.model.engine.EngineCheck;
import org.convkit.model.weights.Checkpoint;
import org.convkit.model.weights.KeyMap;
import org.convkit.model.weights.ModelSource;
import org.convkit.onnx.Classifiers;
import org.convkit.onnx.OnnxClassifier;

/**
 * The model a Spark job runs, as it travels to the executors: a small serializable description
 * (where the files are, what the model is, which engine runs it), not the network. Each executor
 * JVM opens it once ({@link ExecutorModels}) and keeps it for every task and stage that follows.
 *
 * <p>Three forms, as {@code convkit predict} takes them: a convkit checkpoint or run folder, a zoo
 * model with imported weights ({@link ModelSource}), or an exported {@code .onnx} file; run on
 * libtorch or ONNX Runtime ({@link Classifiers.Engine}, {@code auto} choosing on each executor; an
 * ONNX file on ONNX Runtime only).
 *
 * <p>The files must be readable where the executors run: a path on storage every machine mounts
 * at the same place, or a file shipped with {@code spark-submit --files} / a folder with {@code
 * --archives} (a path that does not exist on the executor is looked up by its file name in the
 * job's working directory, then in {@link SparkFiles}). In {@code local[N]} mode the driver's files
 * are the executors'.
 */
public final class SparkModel implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Images per forward pass unless told otherwise: what {@code convkit predict} uses. */
    public static final int DEFAULT_BATCH = 64;

    private final String checkpoint;
    private final String weights;
    private final String onnx;
    private final Checkpoint.Manifest manifest;
    private final KeyMap keyMap;
    private final int heads;
    private final Classifiers.Engine engine;
    private final EngineSettings settings;
    private final int batchSize;
    private final Tta tta;

    private SparkModel(String checkpoint, String weights, String onnx, Checkpoint.Manifest manifest, KeyMap keyMap,
            int heads, Classifiers.Engine engine, EngineSettings settings, int batchSize, Tta tta) {
        if (batchSize < 1) {
            throw new ConvkitException("--batch-size must be positive, not " + batchSize);
        }
        this.checkpoint = checkpoint;
        this.weights = weights;
        this.onnx = onnx;
        this.manifest = manifest;
        this.keyMap = keyMap;
        this.heads = heads;
        this.engine = engine;
        this.settings = settings;
        this.batchSize = batchSize;
        Classifiers.checkTta(engine, tta);
        this.tta = tta;
    }

    /**
     * A model as {@code convkit predict} takes it: a convkit checkpoint or run folder, or a zoo
     * model with imported weights ({@link ModelSource}), on libtorch.
     *
     * @param batchSize images per forward pass; a task holds one batch of images in memory
     */
    public static SparkModel of(ModelSource source, int batchSize) {
        return of(source, Classifiers.Engine.TORCH, batchSize);
    }

    /**
     * The same on either engine (ONNX Runtime: each executor exports the model in memory once,
     * checked against libtorch, as {@code predict --engine onnx} does).
     */
    public static SparkModel of(ModelSource source, Classifiers.Engine engine, int batchSize) {
        // the engine settings this driver runs networks with: the executors run the same ones
        // (EngineCheck.use) rather than each running the engine's self-check inside a task
        EngineSettings settings = EngineCheck.settings();
        int heads = source.manifest().options().heads();
        if (source.isCheckpoint()) {
            return new SparkModel(source.checkpointDir().orElseThrow().toString(), null, null, source.manifest(), null,
                    heads, engine, settings, batchSize, Tta.NONE);
        }
        return new SparkModel(null, source.weightsFile().orElseThrow().toString(), null, source.manifest(),
                source.keyMap(), heads, engine, settings, batchSize, Tta.NONE);
    }

    /** An exported .onnx file, run on ONNX Runtime (its model card, read here, says what it is). */
    public static SparkModel onnx(Path file, int batchSize) {
        int heads;
        try (OnnxClassifier c = OnnxClassifier.open(file, new OnnxClassifier.Options(null, batchSize, 1))) {
            heads = c.card().heads();
        }
        return new SparkModel(null, null, file.toString(), null, null, heads, Classifiers.Engine.ONNX, null, batchSize, Tta.NONE);
    }

    /** A convkit checkpoint directory or run folder on libtorch, with the default batch. */
    public static SparkModel checkpoint(Path runOrCheckpoint) {
        return of(ModelSource.checkpoint(runOrCheckpoint), DEFAULT_BATCH);
    }

    /** Parallel outputs (1 for plain classification, K for K-digit sequences). */
    public int heads() {
        return heads;
    }

    /** Images per forward pass (and per batch a task holds in memory). */
    public int batchSize() {
        return batchSize;
    }

    /** The same model with another batch size. */
    public SparkModel withBatchSize(int n) {
        return new SparkModel(checkpoint, weights, onnx, manifest, keyMap, heads, engine, settings, n, tta);
    }

    /**
     * The same model with test-time augmentation ({@link Tta}: {@code convkit predict --tta}'s,
     * applied by the same classifier); libtorch only.
     */
    public SparkModel withTta(Tta t) {
        return new SparkModel(checkpoint, weights, onnx, manifest, keyMap, heads, engine, settings, batchSize,
                t == null ? Tta.NONE : t);
    }

    /** The test-time augmentation every prediction gets. */
    public Tta tta() {
        return tta;
    }

    /** The checkpoint directory, the weights file or the ONNX file, for messages. */
    public String describe() {
        return checkpoint != null ? checkpoint : weights != null ? weights : onnx;
    }

    /**
     * Opens the model in this JVM (an executor's, or the driver's in local mode). Call through
     * {@link ExecutorModels#get}, which does it once per JVM.
     *
     * @param threads ONNX Runtime's intra-op threads (libtorch's are set for the whole JVM)
     */
    Classifier open(int threads) {
        Classifiers.Options o = new Classifiers.Options("cpu", null, batchSize, threads, tta);
        if (onnx != null) {
            return Classifiers.open(local(onnx), Classifiers.Engine.ONNX, o);
        }
        ModelSource source = checkpoint != null
                ? ModelSource.checkpoint(local(checkpoint))
                : ModelSource.imported(manifest.architecture(), manifest.options(), local(weights), keyMap, manifest.info());
        return Classifiers.open(source, engine, o);
    }

    /** The engine settings the driver chose, or null (an ONNX file: libtorch does not run). */
    EngineSettings settings() {
        return settings;
    }

    /**
     * Where a model file is on this machine: the path itself when it exists, else the copy Spark
     * made for this job (shipped with --files or --archives): by the same relative path or by its
     * file name, in the working directory or below the job's SparkFiles folder.
     */
    static Path local(String path) {
        Path p = Path.of(path);
        java.util.List<Path> candidates = new java.util.ArrayList<>(java.util.List.of(p));
        Path name = p.getFileName();
        if (name != null) {
            candidates.add(name); // --files / --archives on YARN: in the container's working directory
        }
        try {
            // --files / --archives elsewhere: below the job's SparkFiles folder
            Path root = Path.of(SparkFiles.getRootDirectory());
            if (!p.isAbsolute()) {
                candidates.add(root.resolve(p));
            }
            if (name != null) {
                candidates.add(root.resolve(name));
            }
        } catch (RuntimeException e) {
            // no SparkContext in this JVM (a library caller opening the model directly)
        }
        for (Path c : candidates) {
            if (Files.exists(c)) {
                return c;
            }
        }
        throw new ConvkitException(path + ": the model is not readable on this machine (" + hostName() + "). Put it on"
                + " storage every executor mounts at the same path, or ship it with spark-submit --files FILE /"
                + " --archives RUN.zip#NAME (see docs/spark.md)");
    }

    private static String hostName() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.net.UnknownHostException e) {
            return "unknown host";
        }
    }

    /**
     * What makes two descriptions one model (the executors' cache key): the same files, the same
     * description of them, engine and batch. Written out rather than compared as objects: each
     * task gets its own deserialized copy, and arrays in records compare by identity.
     */
    String key() {
        StringBuilder k = new StringBuilder(describe()).append('|').append(engine).append('|').append(batchSize).append('|').append(tta);
        if (manifest != null) {
            var info = manifest.info();
            k.append('|').append(manifest.architecture()).append('|').append(manifest.options()).append('|')
                    .append(info.classes()).append('|').append(java.util.Arrays.toString(info.mean())).append('|')
                    .append(java.util.Arrays.toString(info.std())).append('|').append(info.extra());
        }
        return k.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SparkModel m && key().equals(m.key());
    }

    @Override
    public int hashCode() {
        return key().hashCode();
    }

    @Override
    public String toString() {
        String what = checkpoint != null ? "checkpoint " : weights != null ? "weights " : "ONNX file ";
        return what + describe() + (manifest != null ? " (" + manifest.architecture() + ")" : "") + " on "
                + switch (engine) {
                    case ONNX -> "ONNX Runtime";
                    case TORCH -> "libtorch";
                    // each executor chooses (Classifiers.choose) and says which in its log
                    case AUTO -> "the auto engine (ONNX Runtime where it passed its self-check, else libtorch)";
                }
                + (tta != Tta.NONE ? ", --tta " + tta.token() : "");
    }
}
