package org.convkit.data.image;

import java.util.random.RandomGenerator;
import org.convkit.data.Image;

/**
 * One step of an image pipeline on 8-bit HWC pixels, with torchvision's name and semantics (its
 * PIL code path). Random transforms draw everything they need from the generator they are given,
 * so the loader controls reproducibility; each also exposes {@code sample(...)} and {@code
 * apply(image, params)} so a test can feed torchvision the very same parameters.
 */
public interface Transform {
    /** Applies the transform; deterministic transforms ignore {@code rng}. */
    Image apply(Image img, RandomGenerator rng);

    /** Whether the result depends on {@code rng} (augmentation). */
    default boolean isRandom() {
        return false;
    }

    /** Output {height, width} for any input, or null when it depends on the input size. */
    default int[] fixedSize() {
        return null;
    }

    /** The step in the pipeline option syntax, e.g. {@code centercrop=224}. */
    String spec();
}
