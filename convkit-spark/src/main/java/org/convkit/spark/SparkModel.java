package org.convkit.spark;

import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.spark.SparkFiles;
import org.convkit.core.ConvkitException;
import org.convkit.eval.Classifier;
import org.convkit.eval.TorchClassifier;
import org.convkit.model.weights.Checkpoint;
import org.convkit.model.weights.KeyMap;
import org.convkit.model.weights.ModelSource;

/**
 * The model a Spark job runs, as it travels to the executors: a small serializable description
 * (where the files are, what the model is), not the network. Each executor JVM opens it once
 * ({@link ExecutorModels}) and keeps it for every task and stage that follows.
 *
 * <p>The files must be readable where the executors run: a path on storage every machine mounts
 * at the same place, or a file shipped with {@code spark-submit --files} / a folder with {@code
 * --archives} (a relative path is looked up in the job's working directory, then in {@link
 * SparkFiles}). In {@code local[N]} mode the driver's files are the executors'.
 */
public final class SparkModel implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Images per forward pass unless told otherwise: what {@code convkit predict} uses. */
    public static final int DEFAULT_BATCH = 64;

    private final String checkpoint;
    private final String weights;
    private final Checkpoint.Manifest manifest;
    private final KeyMap keyMap;
    private final int batchSize;

    private SparkModel(String checkpoint, String weights, Checkpoint.Manifest manifest, KeyMap keyMap, int batchSize) {
        if (batchSize < 1) {
            throw new ConvkitException("--batch-size must be positive, not " + batchSize);
        }
        this.checkpoint = checkpoint;
        this.weights = weights;
        this.manifest = manifest;
        this.keyMap = keyMap;
        this.batchSize = batchSize;
    }

    /**
     * A model as {@code convkit predict} takes it: a convkit checkpoint or run folder, or a zoo
     * model with imported weights ({@link ModelSource}).
     *
     * @param batchSize images per forward pass; a task holds one batch of images in memory
     */
    public static SparkModel of(ModelSource source, int batchSize) {
        if (source.isCheckpoint()) {
            Path dir = source.checkpointDir().orElseThrow();
            return new SparkModel(dir.toString(), null, source.manifest(), null, batchSize);
        }
        return new SparkModel(null, source.weightsFile().orElseThrow().toString(), source.manifest(), source.keyMap(),
                batchSize);
    }

    /** A convkit checkpoint directory or run folder, with the default batch. */
    public static SparkModel checkpoint(Path runOrCheckpoint) {
        return of(ModelSource.checkpoint(runOrCheckpoint), DEFAULT_BATCH);
    }

    /** What the model is: architecture, options (classes, heads, input), class names, normalization. */
    public Checkpoint.Manifest manifest() {
        return manifest;
    }

    /** Images per forward pass (and per batch a task holds in memory). */
    public int batchSize() {
        return batchSize;
    }

    /** The same model with another batch size. */
    public SparkModel withBatchSize(int n) {
        return new SparkModel(checkpoint, weights, manifest, keyMap, n);
    }

    /** The checkpoint directory or the weights file, for messages. */
    public String describe() {
        return checkpoint != null ? checkpoint : weights;
    }

    /**
     * Opens the model in this JVM (an executor's, or the driver's in local mode). Call through
     * {@link ExecutorModels#get}, which does it once per JVM.
     */
    Classifier open() {
        ModelSource source = checkpoint != null
                ? ModelSource.checkpoint(local(checkpoint))
                : ModelSource.imported(manifest.architecture(), manifest.options(), local(weights), keyMap, manifest.info());
        return TorchClassifier.open(source, new TorchClassifier.Options("cpu", null, batchSize));
    }

    /**
     * Where a model file is on this machine: the path itself when it exists, else (a relative
     * path, or a file shipped by name) the copy Spark made for this job.
     */
    static Path local(String path) {
        Path p = Path.of(path);
        if (Files.exists(p)) {
            return p;
        }
        try {
            Path shipped = Path.of(SparkFiles.get(p.getFileName().toString()));
            if (Files.exists(shipped)) {
                return shipped;
            }
        } catch (RuntimeException e) {
            // no SparkContext in this JVM (a library caller opening the model directly)
        }
        throw new ConvkitException(path + ": the model is not readable on this machine (" + hostName() + "). Put it on"
                + " storage every executor mounts at the same path, or ship it with spark-submit --files FILE /"
                + " --archives RUN.zip#NAME and name it by its file name (see docs/spark.md)");
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
     * description of them and the same batch. Written out rather than compared as objects: each task
     * gets its own deserialized copy, and arrays in records compare by identity.
     */
    String key() {
        var info = manifest.info();
        return describe() + "|" + batchSize + "|" + manifest.architecture() + "|" + manifest.options() + "|"
                + info.classes() + "|" + java.util.Arrays.toString(info.mean()) + "|" + java.util.Arrays.toString(info.std())
                + "|" + info.extra();
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
        return (checkpoint != null ? "checkpoint " : "weights ") + describe() + " (" + manifest.architecture() + ")";
    }
}
