package org.convkit.data.image;

/**
 * What the crops share: an output of exactly {@code height x width} whatever the input, which the
 * pipeline relies on to size batches, written "224" or "224x200" in the pipeline syntax.
 */
abstract class FixedSizeCrop implements Transform {
    protected final int height;
    protected final int width;

    FixedSizeCrop(int height, int width) {
        if (height <= 0 || width <= 0) {
            throw new IllegalArgumentException("crop size must be positive");
        }
        this.height = height;
        this.width = width;
    }

    @Override
    public final int[] fixedSize() {
        return new int[] {height, width};
    }

    /** The size as the pipeline syntax writes it: one number for a square. */
    protected final String sizeSpec() {
        return height == width ? "" + height : height + "x" + width;
    }
}
