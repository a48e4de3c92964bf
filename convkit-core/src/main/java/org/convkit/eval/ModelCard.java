package org.convkit.eval;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.convkit.core.ConvkitException;
import org.convkit.data.image.Normalize;
import org.convkit.data.image.Pipeline;
import org.convkit.data.image.PipelineParser;

/**
 * What a trained classifier is and what it expects, as a person or another program needs to know
 * it to use the model: the facts {@code GET /v1/model} shows, an ONNX file's metadata carries and
 * every prediction engine prepares its inputs from. Immutable; JSON-friendly (Jackson writes the
 * record's components as they are named).
 *
 * @param name what to call the model: the run's folder name, the checkpoint directory's or the
 *     file's name
 * @param architecture the zoo name it was built as ("resnet18")
 * @param classes class names in output order, one per class of a head (for sequence models, the
 *     per-position classes including "blank")
 * @param heads parallel outputs (1 for plain classification, K for K-digit sequences)
 * @param channels input channels (1 gray, 3 RGB)
 * @param height input height the network takes
 * @param width input width
 * @param mean per-channel normalization mean (pixels scaled to [0, 1]); {0} with std {1} = none
 * @param std per-channel normalization standard deviation
 * @param transforms the evaluation transform's image steps as a {@code --transforms} string
 *     ("resize=32,centercrop=32"; "totensor" when there are none), without the normalization
 * @param parameters learnable parameters (BatchNorm running statistics not counted, as published
 *     counts do not)
 * @param weightsSha256 SHA-256 of the weights the model was made from (hex), for telling two
 *     models apart; empty when unknown
 * @param convkitVersion the convkit that wrote the checkpoint ("dev" from a source build)
 */
public record ModelCard(
        String name,
        String architecture,
        List<String> classes,
        int heads,
        int channels,
        int height,
        int width,
        float[] mean,
        float[] std,
        String transforms,
        long parameters,
        String weightsSha256,
        String convkitVersion) {

    public ModelCard {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(architecture, "architecture");
        classes = List.copyOf(classes);
        mean = mean.clone();
        std = std.clone();
        weightsSha256 = weightsSha256 == null ? "" : weightsSha256;
        convkitVersion = convkitVersion == null ? "?" : convkitVersion;
        if (classes.isEmpty()) {
            throw new IllegalArgumentException("a model card needs the class names (or \"0\"..\"N-1\")");
        }
        if (heads < 1 || channels < 1 || height < 1 || width < 1) {
            throw new IllegalArgumentException("heads, channels and input size must be positive");
        }
        new Normalize(mean, std); // the same rules as everywhere: as many means as stds, std > 0
    }

    /** Input as "CxHxW", the form {@code --input} takes. */
    public String input() {
        return channels + "x" + height + "x" + width;
    }

    /** The blank class of a sequence model (the class named "blank" when there are several heads), or -1. */
    public int blank() {
        return Labels.blank(classes, heads);
    }

    /** The normalization the model was trained with. */
    public Normalize normalize() {
        return new Normalize(mean, std);
    }

    /**
     * The evaluation pipeline: the image steps of {@link #transforms}, then ToTensor and {@link
     * #normalize}. Exactly what {@code convkit predict} and {@code eval} apply.
     *
     * @throws ConvkitException when the steps do not give the network's input size, or augment
     */
    public Pipeline pipeline() {
        Pipeline p = PipelineParser.parse(transforms, "the model's evaluation transforms").withNormalize(normalize());
        ModelInput.check(p, architecture, channels, height, width);
        return p;
    }

    /** The same card with other evaluation transforms (a {@code --transforms} override, checked). */
    public ModelCard withTransforms(String imageSteps) {
        ModelCard c = new ModelCard(name, architecture, classes, heads, channels, height, width, mean, std, imageSteps,
                parameters, weightsSha256, convkitVersion);
        c.pipeline();
        return c;
    }

    /** The same card under another name. */
    public ModelCard withName(String newName) {
        return new ModelCard(newName, architecture, classes, heads, channels, height, width, mean, std, transforms,
                parameters, weightsSha256, convkitVersion);
    }

    @Override
    public float[] mean() {
        return mean.clone();
    }

    @Override
    public float[] std() {
        return std.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ModelCard c && name.equals(c.name) && architecture.equals(c.architecture)
                && classes.equals(c.classes) && heads == c.heads && channels == c.channels && height == c.height
                && width == c.width && Arrays.equals(mean, c.mean) && Arrays.equals(std, c.std)
                && transforms.equals(c.transforms) && parameters == c.parameters
                && weightsSha256.equals(c.weightsSha256) && convkitVersion.equals(c.convkitVersion);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, architecture, classes, heads, channels, height, width, Arrays.hashCode(mean),
                Arrays.hashCode(std), transforms, parameters, weightsSha256, convkitVersion);
    }

    @Override
    public String toString() {
        return name + " (" + architecture + ", " + input() + " -> " + (heads > 1 ? heads + "x" : "") + classes.size()
                + " classes, " + parameters + " parameters, " + transforms + ", " + normalize().spec() + ")";
    }
}
