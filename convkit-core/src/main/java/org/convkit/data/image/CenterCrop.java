package org.convkit.data.image;

import java.util.random.RandomGenerator;
import org.convkit.data.Image;

/**
 * torchvision's {@code CenterCrop(size)}: the offsets are {@code round((H - h) / 2)} with
 * Python's round-half-to-even, and an image smaller than the crop is first padded with zeros
 * ({@code (d // 2)} before, {@code ((d + 1) // 2)} after).
 */
public final class CenterCrop extends FixedSizeCrop {
    public CenterCrop(int height, int width) {
        super(height, width);
    }

    @Override
    public Image apply(Image img, RandomGenerator rng) {
        return apply(img);
    }

    public Image apply(Image img) {
        int[] zero = {0};
        if (width > img.width() || height > img.height()) {
            int dw = Math.max(0, width - img.width());
            int dh = Math.max(0, height - img.height());
            img = Pixels.pad(img, dw / 2, dh / 2, (dw + 1) / 2, (dh + 1) / 2, zero);
            if (img.width() == width && img.height() == height) {
                return img;
            }
        }
        int top = (int) Math.rint((img.height() - height) / 2.0);
        int left = (int) Math.rint((img.width() - width) / 2.0);
        return Pixels.crop(img, top, left, height, width, zero);
    }

    @Override
    public String spec() {
        return "centercrop=" + sizeSpec();
    }
}
