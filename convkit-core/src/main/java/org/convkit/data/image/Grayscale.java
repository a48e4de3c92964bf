package org.convkit.data.image;

import java.util.random.RandomGenerator;
import org.convkit.data.Image;

/** torchvision's {@code Grayscale(num_output_channels)}: PIL's "L", replicated to 3 if asked. */
public final class Grayscale implements Transform {
    private final int channels;

    public Grayscale(int channels) {
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException("grayscale outputs 1 or 3 channels, not " + channels);
        }
        this.channels = channels;
    }

    @Override
    public Image apply(Image img, RandomGenerator rng) {
        return Pixels.toChannels(Pixels.toChannels(img, 1), channels);
    }

    @Override
    public String spec() {
        return "grayscale=" + channels;
    }
}
