package org.convkit.eval;

import java.util.List;
import org.convkit.core.ConvkitException;
import org.convkit.data.image.Normalize;
import org.convkit.data.image.Pipeline;
import org.convkit.data.image.PipelineParser;
import org.convkit.data.image.Presets;
import org.convkit.data.image.Resize;
import org.convkit.model.ModelOptions;
import org.convkit.model.weights.Checkpoint;
import org.convkit.model.weights.ModelInfo;

/**
 * How images must be prepared for a model's network (a checkpoint's, or imported weights' as {@link
 * org.convkit.model.weights.ModelSource} describes them): the evaluation transform (never
 * augmenting) for its input size, with the normalization it was trained with.
 *
 * <p>The trainer records its evaluation pipeline in the checkpoint's {@code extra} under {@link
 * #EVAL_TRANSFORMS} (a {@code --transforms} string); without it the evaluation preset for the
 * input size is used. Either way the pipeline must produce exactly the network's input size.
 */
public final class ModelInput {
    /** ModelInfo.extra key: the evaluation pipeline's option string, e.g. "resize=32,centercrop=32". */
    public static final String EVAL_TRANSFORMS = "eval_transforms";

    private ModelInput() {}

    /**
     * @param manifest what the checkpoint (or the model source) says
     * @param override a {@code --transforms} value given by the user, or null
     */
    public static Pipeline pipeline(Checkpoint.Manifest manifest, String override) {
        ModelOptions o = manifest.options();
        ModelInfo info = manifest.info();
        Pipeline p;
        String saved = info.extra().get(EVAL_TRANSFORMS) instanceof String s ? s : null;
        if (override != null) {
            p = PipelineParser.parse(override, "--transforms");
        } else if (saved != null) {
            p = PipelineParser.parse(saved, "the checkpoint's " + EVAL_TRANSFORMS);
        } else if (o.height() == o.width()) {
            p = Presets.eval(o.height(), Normalize.NONE);
        } else {
            p = new Pipeline(List.of(Resize.to(o.height(), o.width())), Normalize.NONE);
        }
        if (p.normalize().equals(Normalize.NONE) && info.hasNormalization()) {
            p = p.withNormalize(new Normalize(info.mean(), info.std()));
        }
        check(p, manifest.architecture(), o.channels(), o.height(), o.width());
        return p;
    }

    /**
     * Refuses an evaluation pipeline that augments or does not end at the network's input size.
     *
     * @param architecture the network's name, for the message
     */
    static void check(Pipeline p, String architecture, int channels, int height, int width) {
        if (p.isRandom()) {
            throw new ConvkitException("--transforms " + p.spec() + ": evaluation never augments; drop the random steps");
        }
        int[] size = p.fixedSize();
        if (size == null || size[0] != height || size[1] != width) {
            throw new ConvkitException("the transforms " + p.spec() + " give "
                    + (size == null ? "images of varying size" : size[0] + "x" + size[1])
                    + " but " + architecture + " takes " + channels + "x" + height + "x" + width
                    + "; end them with centercrop=" + height + (height == width ? "" : "x" + width)
                    + " or resize=" + height + "x" + width);
        }
    }

    /**
     * The model card of a checkpoint: what it is, its classes and the evaluation pipeline {@link
     * #pipeline} resolves (with a {@code --transforms} override when given).
     *
     * @param name what to call the model
     * @param parameters learnable parameters of the network
     * @param weightsSha256 SHA-256 of its weights file, hex
     */
    public static ModelCard card(Checkpoint.Manifest manifest, String override, String name, long parameters,
            String weightsSha256) {
        ModelOptions o = manifest.options();
        Pipeline p = pipeline(manifest, override);
        Normalize n = p.normalize();
        return new ModelCard(name, manifest.architecture(), classes(manifest, List.of(), "checkpoint"), o.heads(),
                o.channels(), o.height(), o.width(), n.mean(), n.std(), p.withNormalize(Normalize.NONE).spec(),
                parameters, weightsSha256, manifest.convkitVersion());
    }

    /**
     * The class names of a model, checked against the data's: the same names in the same order,
     * or, when the model has none (a checkpoint that recorded none, imported weights without
     * {@code --class-names}), the same count.
     *
     * @return the names to report with
     */
    public static List<String> classes(Checkpoint.Manifest manifest, List<String> dataClasses, String dataName) {
        List<String> saved = manifest.info().classes();
        int n = manifest.options().classes();
        if (!saved.isEmpty() && !dataClasses.isEmpty() && !saved.equals(dataClasses)) {
            throw new ConvkitException("the model's classes are " + abbreviate(saved) + " but " + dataName
                    + " has " + abbreviate(dataClasses) + "; evaluate on data with the same classes (same folder names),"
                    + " in the same order");
        }
        List<String> names = !saved.isEmpty() ? saved : dataClasses;
        if (!names.isEmpty() && names.size() != n) {
            throw new ConvkitException(dataName + " has " + names.size() + " classes but the model's network has "
                    + n + " outputs per head");
        }
        if (names.isEmpty()) {
            names = java.util.stream.IntStream.range(0, n).mapToObj(String::valueOf).toList();
        }
        return names;
    }

    private static String abbreviate(List<String> c) {
        return c.size() <= 12 ? c.toString() : c.subList(0, 12) + "... (" + c.size() + ")";
    }
}
