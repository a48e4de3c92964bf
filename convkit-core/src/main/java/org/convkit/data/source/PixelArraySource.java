package org.convkit.data.source;

import java.util.Arrays;
import java.util.List;
import org.convkit.data.Image;
import org.convkit.data.ImageSource;
import org.convkit.data.Sample;

/**
 * Datasets stored as raw pixels (IDX, CIFAR binary), held in memory as one HWC byte array of
 * equally sized images: {@link #get} returns pixels, never encoded bytes. Immutable, thread-safe.
 */
public final class PixelArraySource implements ImageSource {
    private final byte[] pixels;
    private final int count;
    private final int width;
    private final int height;
    private final int channels;
    private final int[] labels;
    private final int heads;
    private final List<String> classes;
    private final String idPrefix;
    private final String description;

    /**
     * @param pixels {@code count * height * width * channels} bytes, image after image, HWC
     * @param labels {@code count * heads} class indices
     * @param idPrefix ids are {@code idPrefix-00042}
     */
    public PixelArraySource(byte[] pixels, int count, int width, int height, int channels, int[] labels, int heads,
            List<String> classes, String idPrefix, String description) {
        if ((long) count * width * height * channels != pixels.length || (long) count * heads != labels.length) {
            throw new IllegalArgumentException("pixel or label array does not match " + count + " images");
        }
        this.pixels = pixels;
        this.count = count;
        this.width = width;
        this.height = height;
        this.channels = channels;
        this.labels = labels;
        this.heads = heads;
        this.classes = List.copyOf(classes);
        this.idPrefix = idPrefix;
        this.description = description;
    }

    @Override
    public int size() {
        return count;
    }

    @Override
    public Sample get(int index) {
        int n = width * height * channels;
        byte[] img = Arrays.copyOfRange(pixels, index * n, (index + 1) * n);
        return new Sample(id(index), null, new Image(width, height, channels, img), labels(index));
    }

    @Override
    public int[] labels(int index) {
        return Arrays.copyOfRange(labels, index * heads, (index + 1) * heads);
    }

    @Override
    public List<String> classes() {
        return classes;
    }

    @Override
    public String describe() {
        return description + ", " + count + " images " + width + "x" + height + "x" + channels;
    }

    @Override
    public String location(int index) {
        return description + " image " + index;
    }

    /** "train-00042": the prefix and the index, 5 digits at least. */
    public String id(int index) {
        return String.format("%s-%05d", idPrefix, index);
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    public int channels() {
        return channels;
    }
}
