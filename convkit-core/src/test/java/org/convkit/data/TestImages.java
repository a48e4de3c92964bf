package org.convkit.data;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import javax.imageio.ImageIO;

/** Real image files for tests, made with ImageIO from seeded random pixels. */
public final class TestImages {
    private TestImages() {}

    /** A w x h RGB image with seeded random pixels. */
    public static BufferedImage rgb(int w, int h, long seed) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Random r = new Random(seed);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, r.nextInt(1 << 24));
            }
        }
        return img;
    }

    /** Encoded bytes in {@code format} ("png", "jpeg", "bmp", "gif"). */
    public static byte[] encode(BufferedImage img, String format) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            if (!ImageIO.write(img, format, out)) {
                throw new IllegalStateException("no writer for " + format);
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes a w x h image file; the format comes from the extension. Returns the file. */
    public static Path write(Path file, int w, int h, long seed) {
        String name = file.getFileName().toString().toLowerCase();
        String format = name.endsWith(".png") ? "png" : name.endsWith(".bmp") ? "bmp" : name.endsWith(".gif") ? "gif" : "jpeg";
        return bytes(file, encode(rgb(w, h, seed), format));
    }

    public static Path bytes(Path file, byte[] data) {
        try {
            Files.createDirectories(file.getParent());
            Files.write(file, data);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A pair of IDX files, MNIST's format: {@code dir/PREFIX-images-idx3-ubyte} (one side x side
     * gray image per label, seeded pixels) and {@code dir/PREFIX-labels-idx1-ubyte}.
     *
     * @param prefix "train" or "t10k" (MNIST's test files)
     */
    public static void idx(Path dir, String prefix, int side, int... labels) {
        int n = labels.length;
        byte[] pixels = new byte[n * side * side];
        new Random(n * 31L + side).nextBytes(pixels);
        byte[] label = new byte[n];
        for (int i = 0; i < n; i++) {
            label[i] = (byte) labels[i];
        }
        bytes(dir.resolve(prefix + "-images-idx3-ubyte"), idxFile(pixels, n, side, side));
        bytes(dir.resolve(prefix + "-labels-idx1-ubyte"), idxFile(label, n));
    }

    /** An IDX file of unsigned bytes: 00 00 08 ndims, each dimension as a big-endian int, the values. */
    private static byte[] idxFile(byte[] values, int... dims) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(4 + 4 * dims.length + values.length);
        b.put(new byte[] {0, 0, 8, (byte) dims.length});
        for (int d : dims) {
            b.putInt(d);
        }
        return b.put(values).array();
    }

    /** The first {@code n} bytes of a real image: a truncated file. */
    public static byte[] truncated(byte[] encoded, int n) {
        return java.util.Arrays.copyOf(encoded, n);
    }
}
