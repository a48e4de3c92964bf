package org.convkit.data.image;

import java.util.random.RandomGenerator;
import org.convkit.data.Image;

/**
 * torchvision's {@code RandomCrop(size, padding, pad_if_needed, fill, padding_mode)}: pad, then, if
 * asked, pad both sides of a too-small dimension by the shortfall (both in {@code padding_mode}),
 * then crop at a uniform offset.
 */
public final class RandomCrop extends FixedSizeCrop {
    /** The crop's top-left corner in the padded image. */
    public record Offset(int top, int left) {}

    private final int[] padding; // left, top, right, bottom
    private final boolean padIfNeeded;
    private final int[] fill;
    private final PaddingMode mode;

    /** With constant padding in {@code fill}, torchvision's default. */
    public RandomCrop(int height, int width, int[] padding, boolean padIfNeeded, int[] fill) {
        this(height, width, padding, padIfNeeded, fill, PaddingMode.CONSTANT);
    }

    /**
     * @param padding torchvision's forms: {} none, {p} all sides, {lr, tb}, {l, t, r, b}
     * @param mode what the borders show ({@link PaddingMode}); {@code fill} counts only for constant
     */
    public RandomCrop(int height, int width, int[] padding, boolean padIfNeeded, int[] fill, PaddingMode mode) {
        super(height, width);
        this.padding = switch (padding.length) {
            case 0 -> new int[4];
            case 1 -> new int[] {padding[0], padding[0], padding[0], padding[0]};
            case 2 -> new int[] {padding[0], padding[1], padding[0], padding[1]};
            case 4 -> padding.clone();
            default -> throw new IllegalArgumentException("padding takes 1, 2 or 4 numbers, not " + padding.length);
        };
        this.padIfNeeded = padIfNeeded;
        this.fill = fill.clone();
        this.mode = mode;
    }

    /** The image after the padding steps (deterministic). */
    public Image pad(Image img) {
        if (padding[0] != 0 || padding[1] != 0 || padding[2] != 0 || padding[3] != 0) {
            img = Pixels.pad(img, padding[0], padding[1], padding[2], padding[3], fill, mode);
        }
        if (padIfNeeded && img.width() < width) {
            int d = width - img.width();
            img = Pixels.pad(img, d, 0, d, 0, fill, mode);
        }
        if (padIfNeeded && img.height() < height) {
            int d = height - img.height();
            img = Pixels.pad(img, 0, d, 0, d, fill, mode);
        }
        return img;
    }

    /** torchvision's {@code get_params} on the padded size. */
    public Offset sample(int paddedH, int paddedW, RandomGenerator rng) {
        if (paddedH < height || paddedW < width) {
            throw new IllegalArgumentException(
                    "random crop " + height + "x" + width + " is larger than the (padded) image " + paddedH + "x" + paddedW
                            + "; add pad_if_needed or resize first");
        }
        if (paddedH == height && paddedW == width) {
            return new Offset(0, 0);
        }
        return new Offset(rng.nextInt(paddedH - height + 1), rng.nextInt(paddedW - width + 1));
    }

    /** Crops an already padded image at {@code at}. */
    public Image crop(Image padded, Offset at) {
        return Pixels.crop(padded, at.top(), at.left(), height, width, fill);
    }

    @Override
    public Image apply(Image img, RandomGenerator rng) {
        Image padded = pad(img);
        return crop(padded, sample(padded.height(), padded.width(), rng));
    }

    @Override
    public boolean isRandom() {
        return true;
    }

    @Override
    public String spec() {
        return "randomcrop=" + sizeSpec() + ":padding=" + padding[0] + "/" + padding[1] + "/" + padding[2] + "/" + padding[3]
                + (padIfNeeded ? ":pad_if_needed" : "") + (fill[0] != 0 || fill.length > 1 ? ":fill=" + join(fill) : "")
                + (mode == PaddingMode.CONSTANT ? "" : ":padding_mode=" + mode.token());
    }

    private static String join(int[] v) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < v.length; i++) {
            sb.append(i == 0 ? "" : "/").append(v[i]);
        }
        return sb.toString();
    }
}
