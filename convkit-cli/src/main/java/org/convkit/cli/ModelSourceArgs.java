package org.convkit.cli;

import java.nio.file.Path;
import java.util.List;
import org.convkit.data.ClassNames;
import org.convkit.data.image.Normalize;
import org.convkit.model.ModelOptions;
import org.convkit.model.weights.KeyMap;
import org.convkit.model.weights.ModelInfo;
import org.convkit.model.weights.ModelSource;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The model a command runs ({@link ModelSource}), declared once for every command that takes one
 * (eval, predict; export, serve and spark use it too): {@code --checkpoint RUN_OR_DIR}, or a zoo
 * model with weights from elsewhere, {@code --model M --weights FILE} with the model's shape flags
 * ({@code --classes}, {@code --input} ...), {@code --key-map}, {@code --normalize} and
 * {@code --class-names}. Usage:
 *
 * <pre>
 *   &#64;Mixin ModelSourceArgs model;
 *   ...
 *   ModelSource source = model.source();   // then source.manifest(), source.load(manager)
 * </pre>
 *
 * <p>{@code --class-names} is {@link ClassNamesArgs}, the mixin the data commands take too
 * ({@link DataSourceArgs}); a command that also reads data takes {@link DataArgs} beside this and
 * gives it {@link #classNames}, so that it declares {@code --class-names} once (eval).
 *
 * For imported weights the class count is {@code --classes}, else the number of {@code
 * --class-names}, else the classifier's size in the file, else the model's default; a 1000-class
 * model without names gets torchvision's ImageNet names. The normalization is {@code --normalize},
 * else ImageNet's for 3-channel models (what torchvision's and timm's weights expect) and none for
 * others (d2l's models read raw [0, 1] pixels); both are printed on stderr.
 */
public final class ModelSourceArgs {
    @Option(names = "--checkpoint", paramLabel = "RUN_OR_DIR",
            description = "A convkit run folder (uses checkpoints/best, else last) or checkpoint directory. Or give"
                    + " --model and --weights instead.")
    public Path checkpoint;

    @Mixin
    public ModelFlags model;

    // not --input: predict's --input names the images
    @Option(names = "--input-shape", paramLabel = "CxHxW",
            description = "With --weights: the model's input, e.g. 3x224x224 (default: the model's own; the channels"
                    + " follow the file's first convolution).")
    public String inputShape;

    @Mixin
    public WeightFileArgs weights;

    @Mixin
    public ClassNamesArgs classNames;

    @Option(names = "--normalize", paramLabel = "N",
            description = "With --weights: the normalization the weights expect: imagenet, none, another preset"
                    + " (cifar10, mnist ...) or mean=a/b/c:std=d/e/f (default: imagenet for 3-channel models, none"
                    + " otherwise).")
    public String normalize;

    /**
     * What was given, resolved: a checkpoint, or imported weights.
     *
     * @throws UsageError unless exactly one of {@code --checkpoint} and {@code --model} with
     *     {@code --weights} was given, or when an option is given that the form does not take
     */
    public ModelSource source() {
        return source(false);
    }

    /**
     * As {@link #source()}, for a command whose {@code --class-names} also names the
     * classes of its data ({@code eval}): with {@code --checkpoint} they are taken, as the names of
     * the data's labels in order, which must then be the checkpoint's classes (checked when the data
     * is opened), instead of being refused.
     */
    public ModelSource sourceNamingData() {
        return source(true);
    }

    private ModelSource source(boolean namesData) {
        if (checkpoint != null) {
            List<String> extra = new java.util.ArrayList<>(model.shapeFlagsGiven());
            if (model.given() != null) {
                extra.add(0, "--model");
            }
            if (inputShape != null) {
                extra.add("--input-shape");
            }
            if (weights.weights != null) {
                extra.add("--weights");
            }
            if (weights.keyMap.keyMap != null) {
                extra.add("--key-map");
            }
            if (normalize != null) {
                extra.add("--normalize");
            }
            if (classNames.classNames != null && !namesData) {
                extra.add("--class-names");
            }
            if (!extra.isEmpty()) {
                throw new UsageError(String.join(", ", extra) + ": a checkpoint records its model, classes and"
                        + " normalization; give either --checkpoint RUN_OR_DIR, or --model M --weights FILE");
            }
            return ModelSource.checkpoint(checkpoint);
        }
        if (model.given() == null || weights.weights == null) {
            throw new UsageError(model.given() == null && weights.weights == null
                    ? "which model? Give --checkpoint RUN_OR_DIR (a convkit run or checkpoint), or --model M --weights"
                            + " FILE (a zoo model with PyTorch weights)"
                    : model.given() == null ? "--weights " + weights.weights + " needs --model (the architecture the file"
                            + " holds, see `convkit models`)"
                    : "--model " + model.given() + " needs --weights FILE (the weights to run it with), or use"
                            + " --checkpoint RUN_OR_DIR");
        }
        KeyMap keyMap = weights.keyMap.read();
        List<String> names = classNames.names();
        ModelOptions o = model.options(inputShape);
        if (model.classes == null && !names.isEmpty()) {
            o = o.withClasses(names.size());
        }
        ModelSource.Fitted fitted = ModelSource.fitToFile(model.model(), o, weights.weights, keyMap,
                model.classes == null && names.isEmpty(), inputShape == null || inputShape.split("x").length < 3);
        fitted.notes().forEach(System.err::println);
        o = fitted.options();
        if (names.isEmpty() && o.classes() == 1000) {
            names = ClassNames.imagenet();
            System.err.println("class names: imagenet (torchvision's, for 1000 classes; --class-names to change)");
        }
        Normalize n;
        if (normalize != null) {
            n = Normalize.parse(normalize, "--normalize");
        } else {
            n = o.channels() == 3 ? Normalize.preset("imagenet") : Normalize.NONE;
            System.err.println("normalization: " + (o.channels() == 3 ? "imagenet" : "none") + " (the default for "
                    + o.channels() + "-channel weights; --normalize to change)");
        }
        n = n.forChannels(o.channels());
        ModelInfo info = n.isIdentity() ? ModelInfo.of(names, null, null)
                : ModelInfo.of(names, n.mean(), n.std());
        return ModelSource.imported(model.model(), o, weights.weights, keyMap, info);
    }
}
