package org.convkit.data.image;

import java.util.random.RandomGenerator;
import org.convkit.data.Image;

/**
 * torchvision's {@code RandomHorizontalFlip(p)} and {@code RandomVerticalFlip(p)}: flip when a
 * uniform draw is below p (default 0.5).
 */
public final class RandomFlip implements Transform {
    private final boolean horizontal;
    private final double p;

    private RandomFlip(boolean horizontal, double p) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException("flip probability must be in [0, 1], not " + p);
        }
        this.horizontal = horizontal;
        this.p = p;
    }

    public static RandomFlip horizontal(double p) {
        return new RandomFlip(true, p);
    }

    public static RandomFlip vertical(double p) {
        return new RandomFlip(false, p);
    }

    /** Whether to flip this time. */
    public boolean sample(RandomGenerator rng) {
        return rng.nextDouble() < p;
    }

    public Image apply(Image img, boolean flip) {
        if (!flip) {
            return img;
        }
        return horizontal ? Pixels.flipHorizontal(img) : Pixels.flipVertical(img);
    }

    @Override
    public Image apply(Image img, RandomGenerator rng) {
        return apply(img, sample(rng));
    }

    @Override
    public boolean isRandom() {
        return true;
    }

    @Override
    public String spec() {
        return (horizontal ? "hflip" : "vflip") + (p == 0.5 ? "" : "=" + p);
    }
}
