package org.convkit.data.image;

import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;
import org.convkit.data.Image;

/**
 * The transforms one split applies: image steps on 8-bit pixels (torchvision's PIL path), then
 * ToTensor + {@link Normalize} into float CHW. Built from a preset ({@link Presets}) or an option
 * string ({@link PipelineParser}, e.g. {@code "resize=256,centercrop=224,normalize=imagenet"}).
 * Immutable and thread-safe; randomness comes from the generator passed in.
 */
public final class Pipeline {
    private final List<Transform> steps;
    private final Normalize normalize;

    public Pipeline(List<Transform> steps, Normalize normalize) {
        this.steps = List.copyOf(steps);
        this.normalize = normalize == null ? Normalize.NONE : normalize;
    }

    public List<Transform> steps() {
        return steps;
    }

    public Normalize normalize() {
        return normalize;
    }

    /** The same pipeline with other normalization statistics. */
    public Pipeline withNormalize(Normalize n) {
        return new Pipeline(steps, n);
    }

    /** Runs the image steps. */
    public Image transform(Image img, RandomGenerator rng) {
        return transform(img, rng, 0, steps.size());
    }

    /**
     * Runs steps {@code from} (inclusive) to {@code to} (exclusive). Running {@code [0, k)} then
     * {@code [k, n)} gives what {@link #transform(Image, RandomGenerator)} gives: steps make new
     * images and never change the one they get, and only random steps draw from {@code rng}.
     */
    public Image transform(Image img, RandomGenerator rng, int from, int to) {
        for (Transform t : steps.subList(from, to)) {
            img = t.apply(img, rng);
        }
        return img;
    }

    /**
     * How many leading steps are not random (e.g. 2 in {@code resize=64,centercrop=64,hflip}):
     * their output for a given image never changes, so a loader may keep it across epochs.
     */
    public int fixedSteps() {
        int k = 0;
        while (k < steps.size() && !steps.get(k).isRandom()) {
            k++;
        }
        return k;
    }

    /** Runs the image steps, then ToTensor + Normalize: C*H*W floats. */
    public float[] apply(Image img, RandomGenerator rng) {
        Image out = transform(img, rng);
        float[] dst = new float[out.channels() * out.height() * out.width()];
        normalize.toTensor(out, dst, 0);
        return dst;
    }

    /** Whether any step is random (augmentation). Evaluation pipelines must answer false. */
    public boolean isRandom() {
        return steps.stream().anyMatch(Transform::isRandom);
    }

    /** {height, width} of every output, or null when it depends on the input size. */
    public int[] fixedSize() {
        int[] size = null;
        for (Transform t : steps) {
            int[] s = t.fixedSize();
            if (s != null) {
                size = s;
            } else if (t instanceof Resize) {
                size = null; // shorter-side resize: the other side follows the input
            }
        }
        return size;
    }

    /** The option string that rebuilds this pipeline (for config.json and logs). */
    public String spec() {
        List<String> parts = new ArrayList<>();
        for (Transform t : steps) {
            parts.add(t.spec());
        }
        if (!normalize.equals(Normalize.NONE)) {
            parts.add(normalize.spec());
        }
        return parts.isEmpty() ? "totensor" : String.join(",", parts);
    }

    @Override
    public String toString() {
        return spec();
    }
}
