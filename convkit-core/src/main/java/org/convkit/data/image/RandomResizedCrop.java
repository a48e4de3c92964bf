package org.convkit.data.image;

import java.util.random.RandomGenerator;
import org.convkit.data.Image;

/**
 * torchvision's {@code RandomResizedCrop(size, scale=(0.08, 1.0), ratio=(3/4, 4/3))}: up to ten
 * tries to find a box of a random area fraction and log-uniform aspect ratio that fits, else the
 * central crop clamped to the ratio range; the box is then resized (bilinear, antialiased) to size.
 */
public final class RandomResizedCrop extends FixedSizeCrop {
    /** The crop box in the input image. */
    public record Box(int top, int left, int height, int width) {}

    private final double scaleMin;
    private final double scaleMax;
    private final double ratioMin;
    private final double ratioMax;

    public RandomResizedCrop(int height, int width) {
        this(height, width, 0.08, 1.0, 3.0 / 4.0, 4.0 / 3.0);
    }

    public RandomResizedCrop(int height, int width, double scaleMin, double scaleMax, double ratioMin, double ratioMax) {
        super(height, width);
        if (!(scaleMin > 0 && scaleMin <= scaleMax) || !(ratioMin > 0 && ratioMin <= ratioMax)) {
            throw new IllegalArgumentException("scale and ratio must be increasing positive ranges");
        }
        this.scaleMin = scaleMin;
        this.scaleMax = scaleMax;
        this.ratioMin = ratioMin;
        this.ratioMax = ratioMax;
    }

    /** torchvision's {@code get_params}, drawing from {@code rng}. */
    public Box sample(int imgH, int imgW, RandomGenerator rng) {
        double area = (double) imgH * imgW;
        double logMin = Math.log(ratioMin);
        double logMax = Math.log(ratioMax);
        for (int attempt = 0; attempt < 10; attempt++) {
            double targetArea = area * uniform(rng, scaleMin, scaleMax);
            double aspect = Math.exp(uniform(rng, logMin, logMax));
            int w = (int) Math.rint(Math.sqrt(targetArea * aspect));
            int h = (int) Math.rint(Math.sqrt(targetArea / aspect));
            if (0 < w && w <= imgW && 0 < h && h <= imgH) {
                int top = rng.nextInt(imgH - h + 1);
                int left = rng.nextInt(imgW - w + 1);
                return new Box(top, left, h, w);
            }
        }
        // fallback: central crop, as large as the ratio range allows
        double inRatio = (double) imgW / imgH;
        int w;
        int h;
        if (inRatio < ratioMin) {
            w = imgW;
            h = (int) Math.rint(w / ratioMin);
        } else if (inRatio > ratioMax) {
            h = imgH;
            w = (int) Math.rint(h * ratioMax);
        } else {
            w = imgW;
            h = imgH;
        }
        return new Box((imgH - h) / 2, (imgW - w) / 2, h, w);
    }

    private static double uniform(RandomGenerator rng, double lo, double hi) {
        return lo == hi ? lo : lo + (hi - lo) * rng.nextDouble();
    }

    /** torchvision's {@code resized_crop(img, top, left, h, w, size)}. */
    public Image apply(Image img, Box box) {
        Image crop = Pixels.crop(img, box.top(), box.left(), box.height(), box.width(), new int[] {0});
        return Resize.resize(crop, height, width);
    }

    @Override
    public Image apply(Image img, RandomGenerator rng) {
        return apply(img, sample(img.height(), img.width(), rng));
    }

    @Override
    public boolean isRandom() {
        return true;
    }

    @Override
    public String spec() {
        return "randomresizedcrop=" + sizeSpec() + ":scale=" + scaleMin + "/" + scaleMax + ":ratio=" + ratioMin + "/" + ratioMax;
    }
}
