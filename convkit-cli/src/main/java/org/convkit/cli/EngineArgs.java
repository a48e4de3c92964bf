package org.convkit.cli;

import java.nio.file.Path;
import java.util.function.Supplier;
import org.convkit.core.EngineSettings;
import org.convkit.eval.Classifier;
import org.convkit.model.weights.ModelSource;
import org.convkit.onnx.Classifiers;
import picocli.CommandLine.Option;

/**
 * {@code --engine auto|torch|onnx} and opening, on it, the model the inference flags name: an exported
 * {@code .onnx} file given as {@code --checkpoint}, else the checkpoint or {@code --model/--weights}
 * (exported in memory first for ONNX Runtime). Declared once for the commands that run a
 * {@link Classifier} (predict, serve, the spark jobs).
 */
public final class EngineArgs {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(EngineArgs.class);

    @Option(names = "--engine", paramLabel = "E",
            description = "auto, torch (libtorch) or onnx (ONNX Runtime: an exported .onnx file given as --checkpoint,"
                    + " or a checkpoint exported in memory first). Default auto: ONNX Runtime where it passed its"
                    + " self-check on this machine (convkit doctor) and the work allows it, else libtorch (--device"
                    + " cuda, --tta, --precision bf16, predict of one image, a model that does not export); one line"
                    + " says which ran and why"
                    + " (docs/onnx.md; bench/inference.sh compares them).")
    public String engine;

    /** The engine named, or the default. */
    public Classifiers.Engine engine() {
        return engine == null ? Classifiers.DEFAULT : Classifiers.Engine.parse(engine);
    }

    /**
     * Checks the model flags now (usage errors before any work) and says how to open the model.
     *
     * @param maxBatch images per forward pass in {@link Classifier#predict}
     */
    public Supplier<Classifier> classifier(InferenceArgs run, int maxBatch) {
        return classifier(run, maxBatch, false);
    }

    /**
     * The same, for work known to be one image ({@code predict --input FILE}): there {@code auto}
     * runs a checkpoint on libtorch, since exporting it for ONNX Runtime runs the model in both
     * engines once (the export's check) before the image's own forward pass, more work than that
     * pass alone on libtorch, whatever ONNX Runtime's speed (docs/onnx.md).
     */
    public Supplier<Classifier> classifier(InferenceArgs run, int maxBatch, boolean oneImage) {
        Classifiers.Engine e = engine();
        Classifiers.Options o = new Classifiers.Options(run.device(), run.transforms, maxBatch, 0, run.tta(),
                run.precision.precision == null ? null
                        : EngineSettings.Precision.parse(run.precision.precision, "--precision"));
        Path given = run.model.checkpoint;
        if (given != null && ModelSource.isOnnxFile(given)) {
            return () -> Classifiers.open(given, e, o);
        }
        ModelSource source = run.model.source();
        if (e == Classifiers.Engine.AUTO && oneImage) {
            return () -> {
                LOG.info("engine: auto -> libtorch: one image (exporting for ONNX Runtime would cost more than it"
                        + " saves; --engine onnx runs it)");
                return Classifiers.open(source, Classifiers.Engine.TORCH, o);
            };
        }
        return () -> Classifiers.open(source, e, o);
    }
}
