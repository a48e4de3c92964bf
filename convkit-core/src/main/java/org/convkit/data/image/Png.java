package org.convkit.data.image;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.convkit.core.AtomicFiles;
import org.convkit.data.Image;

/**
 * The one PNG writer: images to lossless PNG bytes with ImageIO, and to files (written
 * atomically). Shards store raw pixels (IDX, CIFAR) as PNG; plots, thumbnails and contact sheets
 * are written as PNG.
 */
public final class Png {
    private Png() {}

    /** PNG bytes of {@code image}. */
    public static byte[] encode(BufferedImage image) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(image.getWidth() * image.getHeight() / 2 + 128);
        try {
            if (!ImageIO.write(image, "png", out)) {
                throw new IllegalStateException("no PNG writer in this Java runtime");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** PNG bytes of decoded pixels (gray or RGB). */
    public static byte[] encode(Image image) {
        return encode(Pixels.toBufferedImage(image));
    }

    /** Writes {@code image} to {@code file} as PNG, atomically. */
    public static void write(BufferedImage image, Path file) throws IOException {
        byte[] png = encode(image);
        AtomicFiles.write(file, out -> out.write(png));
    }
}
