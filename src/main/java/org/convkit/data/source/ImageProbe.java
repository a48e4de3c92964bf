package org.convkit.data.source;

import java.awt.color.ColorSpace;
import java.awt.image.ColorModel;
import java.awt.image.IndexColorModel;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.stream.ImageInputStream;

/**
 * What an encoded image is without decoding its pixels: the format from the magic bytes, then
 * width, height and a PIL-style mode ("L", "RGB", "RGBA", "P", "CMYK", "I;16") from the header.
 * Packing uses it to refuse files that are not images; inspect uses it for the size and mode
 * histograms. Decoding is {@link org.convkit.data.image.Decoder}'s job.
 */
public final class ImageProbe {
    private ImageProbe() {}

    /**
     * @param format "jpeg", "png", "gif", "bmp", "tiff", "webp", "pnm"
     * @param width pixels, or -1 when no installed reader knows the format
     * @param height pixels, or -1
     * @param mode PIL-style mode, or "?" when unknown
     */
    public record Info(String format, int width, int height, String mode) {
        /** 1 for gray modes, 3 for colour ones, 0 when unknown (the model's channels decide). */
        public int channels() {
            return switch (mode) {
                case "L", "LA", "1", "I;16" -> 1;
                case "RGB", "RGBA", "P", "CMYK" -> 3;
                default -> 0;
            };
        }
    }

    /**
     * @throws IOException with a reason ("empty file", "not an image: starts with 3c 68 74 6d",
     *     "corrupt header: ...") when the bytes cannot be an image
     */
    public static Info probe(byte[] bytes) throws IOException {
        if (bytes.length == 0) {
            throw new IOException("empty file (0 bytes)");
        }
        String format = sniff(bytes);
        if (format == null) {
            StringBuilder hex = new StringBuilder();
            for (int i = 0; i < Math.min(8, bytes.length); i++) {
                hex.append(String.format("%02x ", bytes[i] & 0xff));
            }
            throw new IOException("not an image: unknown format (first bytes " + hex.toString().trim() + ")");
        }
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                return new Info(format, -1, -1, "?");
            }
            ImageReader r = readers.next();
            try {
                r.setInput(in, true, true);
                int w = r.getWidth(0);
                int h = r.getHeight(0);
                if (w <= 0 || h <= 0) {
                    throw new IOException("corrupt header: size " + w + "x" + h);
                }
                return new Info(format, w, h, mode(r));
            } catch (IOException | RuntimeException e) {
                throw new IOException("corrupt " + format + " header: " + e.getMessage(), e);
            } finally {
                r.dispose();
            }
        }
    }

    /** The format named by the first bytes, or {@code null}. */
    static String sniff(byte[] b) {
        if (starts(b, 0xff, 0xd8, 0xff)) {
            return "jpeg";
        }
        if (starts(b, 0x89, 'P', 'N', 'G')) {
            return "png";
        }
        if (starts(b, 'G', 'I', 'F', '8')) {
            return "gif";
        }
        if (starts(b, 'B', 'M')) {
            return "bmp";
        }
        if (starts(b, 'I', 'I', 42, 0) || starts(b, 'M', 'M', 0, 42)) {
            return "tiff";
        }
        if (starts(b, 'R', 'I', 'F', 'F') && b.length >= 12 && b[8] == 'W' && b[9] == 'E' && b[10] == 'B' && b[11] == 'P') {
            return "webp";
        }
        if (b.length >= 2 && b[0] == 'P' && b[1] >= '1' && b[1] <= '6') {
            return "pnm";
        }
        return null;
    }

    private static boolean starts(byte[] b, int... prefix) {
        if (b.length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if ((b[i] & 0xff) != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    private static String mode(ImageReader r) throws IOException {
        ImageTypeSpecifier t = r.getRawImageType(0);
        if (t == null) {
            Iterator<ImageTypeSpecifier> types = r.getImageTypes(0);
            if (!types.hasNext()) {
                return "?";
            }
            t = types.next();
        }
        ColorModel cm = t.getColorModel();
        if (cm instanceof IndexColorModel) {
            return "P";
        }
        int comps = cm.getNumComponents();
        int bits = t.getSampleModel().getSampleSize(0);
        if (cm.getColorSpace().getType() == ColorSpace.TYPE_CMYK) {
            return "CMYK";
        }
        return switch (comps) {
            case 1 -> bits == 1 ? "1" : bits > 8 ? "I;16" : "L";
            case 2 -> "LA";
            case 3 -> "RGB";
            case 4 -> "RGBA";
            default -> comps + "-channel";
        };
    }
}
