package org.convkit.data.inspect;

import java.io.IOException;
import org.convkit.data.image.Decoder;
import org.convkit.data.image.ImageHeader;

/**
 * Whether encoded bytes are a usable image, from the header alone (no pixels decoded, no ImageIO
 * reader looked up): the header must name a format, give a sane size within the decoder's limit,
 * and the file must be complete. Packing uses it to refuse files that are not images without
 * decoding them; inspect and the recipe use the header it returns for sizes and modes.
 */
public final class ImageProbe {
    private ImageProbe() {}

    /**
     * @return the header ({@link ImageHeader#read}) of a usable image
     * @throws IOException with a reason ("empty file (0 bytes)", "not an image: unknown format
     *     (first bytes 3c 68 74 6d)", "truncated jpeg: ...", "image is 20000x20000 ... above the
     *     limit") when the bytes cannot be a usable image
     */
    public static ImageHeader probe(byte[] b) throws IOException {
        if (b.length == 0) {
            throw new IOException("empty file (0 bytes)");
        }
        ImageHeader h = ImageHeader.read(b);
        if (!h.known()) {
            StringBuilder hex = new StringBuilder();
            for (int i = 0; i < Math.min(8, b.length); i++) {
                hex.append(String.format("%02x ", b[i] & 0xff));
            }
            throw new IOException("not an image: unknown format (first bytes " + hex.toString().trim() + ")");
        }
        String format = h.format();
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
        return h;
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
