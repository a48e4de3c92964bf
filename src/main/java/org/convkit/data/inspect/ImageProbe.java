package org.convkit.data.inspect;

import java.io.IOException;
import org.convkit.data.image.Decoder;
import org.convkit.data.image.ImageHeader;

/**
 * What an encoded image is, from its header alone (no pixels decoded, no ImageIO reader looked
 * up): format, size, a PIL-style mode ("L", "RGB", "RGBA", "P", "CMYK", "I;16") and whether the
 * file is complete. Packing uses it to refuse files that are not images without decoding them;
 * inspect uses it for the size and mode histograms.
 */
public final class ImageProbe {
    private ImageProbe() {}

    /**
     * @param format "jpeg", "png", "gif", "bmp", "webp", "tiff", "pnm"
     * @param width pixels, or -1 when the header parser does not know the format
     * @param height pixels, or -1
     * @param mode PIL-style mode, or "?" when the header does not say
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
     * @throws IOException with a reason ("empty file (0 bytes)", "not an image: unknown format
     *     (first bytes 3c 68 74 6d)", "truncated jpeg: ...", "image is 20000x20000 ... above the
     *     limit") when the bytes cannot be a usable image
     */
    public static Info probe(byte[] b) throws IOException {
        if (b.length == 0) {
            throw new IOException("empty file (0 bytes)");
        }
        ImageHeader h = ImageHeader.read(b);
        String format = h.format().equals("unknown") ? other(b) : h.format();
        if (format == null) {
            StringBuilder hex = new StringBuilder();
            for (int i = 0; i < Math.min(8, b.length); i++) {
                hex.append(String.format("%02x ", b[i] & 0xff));
            }
            throw new IOException("not an image: unknown format (first bytes " + hex.toString().trim() + ")");
        }
        String cut = truncation(format, b);
        if (cut != null) {
            throw new IOException("truncated " + format + ": " + cut);
        }
        if (h.pixels() >= 0) {
            if (h.width() <= 0 || h.height() <= 0) {
                throw new IOException("corrupt " + format + " header: size " + h.width() + "x" + h.height());
            }
            if (h.pixels() > Decoder.maxPixels()) {
                throw new IOException("image is " + h.width() + "x" + h.height() + ", above the decoder's limit of "
                        + Decoder.maxPixels() + " pixels (decompression-bomb guard)");
            }
        }
        return new Info(format, h.width(), h.height(), mode(format, h, b));
    }

    /** Formats torchvision accepts that the header parser does not size: TIFF and PNM. */
    private static String other(byte[] b) {
        if (b.length >= 4 && ((b[0] == 'I' && b[1] == 'I' && b[2] == 42 && b[3] == 0) || (b[0] == 'M' && b[1] == 'M' && b[2] == 0 && b[3] == 42))) {
            return "tiff";
        }
        if (b.length >= 2 && b[0] == 'P' && b[1] >= '1' && b[1] <= '6') {
            return "pnm";
        }
        return null;
    }

    private static String mode(String format, ImageHeader h, byte[] b) {
        switch (format) {
            case "jpeg":
                return h.components() == 1 ? "L" : h.components() == 4 ? "CMYK" : "RGB";
            case "png": {
                // IHDR: bit depth at byte 24, colour type at byte 25
                int depth = b.length > 25 ? b[24] & 0xff : 8;
                int type = b.length > 25 ? b[25] & 0xff : -1;
                return switch (type) {
                    case 0 -> depth == 1 ? "1" : depth == 16 ? "I;16" : "L";
                    case 2 -> "RGB";
                    case 3 -> "P";
                    case 4 -> "LA";
                    case 6 -> "RGBA";
                    default -> "?";
                };
            }
            case "gif":
                return "P";
            case "bmp": {
                int bits = b.length > 29 ? (b[28] & 0xff) | ((b[29] & 0xff) << 8) : 24;
                return bits <= 8 ? "P" : bits == 32 ? "RGBA" : "RGB";
            }
            case "pnm":
                return b[1] == '1' || b[1] == '4' ? "1" : b[1] == '2' || b[1] == '5' ? "L" : "RGB";
            default:
                return "?";
        }
    }

    /**
     * Why a JPEG or PNG is cut short, or {@code null}: a file copied halfway keeps a good header
     * and fails only when decoded (or decodes grey at the bottom), so the end marker is checked.
     */
    static String truncation(String format, byte[] b) {
        if (format.equals("png")) {
            // the IEND chunk type, near the end (some writers append a few bytes after it)
            for (int i = b.length - 8; i >= Math.max(8, b.length - 4096); i--) {
                if (b[i] == 'I' && b[i + 1] == 'E' && b[i + 2] == 'N' && b[i + 3] == 'D') {
                    return null;
                }
            }
            return "no IEND chunk at the end";
        }
        if (!format.equals("jpeg")) {
            return null;
        }
        // walk the marker segments to the first start-of-scan, then look for end-of-image after it
        // (an EXIF thumbnail carries its own end marker inside APP1, which is skipped whole)
        int i = 2;
        while (i + 4 <= b.length) {
            if ((b[i] & 0xff) != 0xff) {
                return "damaged marker at byte " + i;
            }
            int marker = b[i + 1] & 0xff;
            if (marker == 0xff) {
                i++;
                continue;
            }
            if (marker == 0xda) {
                for (int j = b.length - 2; j > i; j--) {
                    if ((b[j] & 0xff) == 0xff && (b[j + 1] & 0xff) == 0xd9) {
                        return null;
                    }
                }
                return "no end-of-image marker after the image data";
            }
            int len = ((b[i + 2] & 0xff) << 8) | (b[i + 3] & 0xff);
            i += 2 + len;
        }
        return "the file ends before the image data";
    }
}
