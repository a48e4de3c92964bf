package org.convkit.spark.cli;

import java.nio.file.Path;
import org.convkit.cli.EngineArgs;
import org.convkit.cli.ModelSourceArgs;
import org.convkit.cli.TtaArgs;
import org.convkit.model.weights.ModelSource;
import org.convkit.onnx.Classifiers;
import org.convkit.spark.SparkModel;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The model a Spark job runs and how: the CLI's model options and engine (declared once, in {@link
 * ModelSourceArgs}, {@link EngineArgs} and {@link TtaArgs}) and the batch. No Spark type appears
 * here (picocli reads this class whatever the class path).
 */
public final class SparkModelArgs {
    @Mixin
    ModelSourceArgs model;

    @Mixin
    EngineArgs engine;

    @Mixin
    TtaArgs tta;

    @Option(names = "--batch-size", defaultValue = "64", paramLabel = "N",
            description = "Images per forward pass; a task holds one batch in memory (default: ${DEFAULT-VALUE}).")
    int batchSize;

    /** Whether --checkpoint names an exported .onnx file (which has no convkit model source). */
    boolean onnxFile() {
        return model.checkpoint != null && ModelSource.isOnnxFile(model.checkpoint);
    }

    /** The model as --checkpoint or --model/--weights name it. */
    ModelSource source() {
        return model.source();
    }

    /**
     * What the executors open: an exported .onnx file (on ONNX Runtime, the only engine that runs
     * one), else {@link #source()} on the engine (auto: each executor chooses, as predict does).
     */
    SparkModel sparkModel() {
        // a mistyped or unsupported --tta is named before any file is read
        Classifiers.checkTta(engine.engine(), tta.tta());
        if (onnxFile()) {
            Path given = model.checkpoint;
            Classifiers.checkOnnxFile(given, engine.engine(), tta.tta()); // predict's rule, before the file is read
            return SparkModel.onnx(given, batchSize);
        }
        return sparkModel(source());
    }

    /** {@code source} (already resolved from these options) on the engine, with the batch. */
    SparkModel sparkModel(ModelSource source) {
        return SparkModel.of(source, engine.engine(), batchSize).withTta(tta.tta());
    }
}
