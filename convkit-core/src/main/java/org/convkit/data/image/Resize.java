package org.convkit.data.image;

import java.util.random.RandomGenerator;
import org.convkit.data.Image;

/**
 * torchvision's {@code Resize(size)} with bilinear interpolation on the PIL path (antialiased).
 * One number resizes the shorter side to it, keeping the aspect ratio as torchvision computes it
 * (the longer side is {@code int(size * long / short)}); two numbers are height x width.
 */
public final class Resize implements Transform {
    private final int height;
    private final int width;
    private final boolean shorterSide;

    private Resize(int height, int width, boolean shorterSide) {
        if (height <= 0 || width <= 0) {
            throw new IllegalArgumentException("resize size must be positive");
        }
        this.height = height;
        this.width = width;
        this.shorterSide = shorterSide;
    }

    /** Shorter side to {@code size}. */
    public static Resize shorterSide(int size) {
        return new Resize(size, size, true);
    }

    /** Exactly {@code height x width} (aspect ratio not kept). */
    public static Resize to(int height, int width) {
        return new Resize(height, width, false);
    }

    /** The output {height, width} for an input of {@code h x w}. */
    public int[] outputSize(int h, int w) {
        if (!shorterSide) {
            return new int[] {height, width};
        }
        int shortSide = Math.min(w, h);
        int longSide = Math.max(w, h);
        int newLong = (int) ((double) ((long) height * longSide) / shortSide);
        return w <= h ? new int[] {newLong, height} : new int[] {height, newLong};
    }

    @Override
    public Image apply(Image img, RandomGenerator rng) {
        return apply(img);
    }

    public Image apply(Image img) {
        int[] hw = outputSize(img.height(), img.width());
        return resize(img, hw[0], hw[1]);
    }

    /** PIL's {@code img.resize((w, h), BILINEAR)}. */
    public static Image resize(Image img, int h, int w) {
        if (h == img.height() && w == img.width()) {
            return img;
        }
        return Resample.bilinear(img, w, h, 0, 0, img.width(), img.height());
    }

    @Override
    public int[] fixedSize() {
        return shorterSide ? null : new int[] {height, width};
    }

    @Override
    public String spec() {
        return shorterSide ? "resize=" + height : "resize=" + height + "x" + width;
    }
}
