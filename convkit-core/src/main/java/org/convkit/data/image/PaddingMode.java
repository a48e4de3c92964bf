package org.convkit.data.image;

import java.util.Locale;

/**
 * torchvision's {@code padding_mode} for {@code Pad} and {@code RandomCrop}: what a border added
 * around an image shows. {@code constant} paints it with a fill colour (black by default: the
 * CIFAR recipe's); the others repeat the image's own pixels, so a padded crop shows no artificial
 * frame (fastai's crop-pad and Myrtle.ai's ResNet-9 reflect). Same pixels as PIL + numpy's
 * {@code np.pad} modes of the same names, for any border width.
 */
public enum PaddingMode {
    /** A fill colour. */
    CONSTANT,
    /** The last pixel repeated: {@code a a | a b c | c c}. */
    EDGE,
    /** A mirror without the edge pixel: {@code c b | a b c | b a}. */
    REFLECT,
    /** A mirror with the edge pixel: {@code b a | a b c | c b}. */
    SYMMETRIC;

    /** The lower-case name, as torchvision spells it. */
    public String token() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Which pixel of a row (or column) of {@code n} stands at position {@code i}, which may lie
     * outside 0..n-1 by any amount (np.pad repeats the mirror for borders wider than the image).
     * Not for {@link #CONSTANT}, whose border is no pixel of the image.
     */
    int source(int i, int n) {
        if (i >= 0 && i < n) {
            return i;
        }
        return switch (this) {
            case EDGE -> i < 0 ? 0 : n - 1;
            case REFLECT -> {
                if (n == 1) {
                    yield 0;
                }
                int m = Math.floorMod(i, 2 * (n - 1));
                yield m < n ? m : 2 * (n - 1) - m;
            }
            case SYMMETRIC -> {
                int m = Math.floorMod(i, 2 * n);
                yield m < n ? m : 2 * n - 1 - m;
            }
            case CONSTANT -> throw new IllegalStateException("a constant border has no source pixel");
        };
    }
}
