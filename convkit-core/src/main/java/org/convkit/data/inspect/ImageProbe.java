package org.convkit.data.inspect;

import java.io.IOException;
import org.convkit.data.image.Decoder;
import org.convkit.data.image.ImageHeader;

/**
 * Whether encoded bytes are a usable image, from the header alone (no pixels decoded): the
 * decoder's own checks ({@link Decoder#check}: size within its limit, file complete), and the
 * header must name a format the project knows. Packing uses it to refuse files that are not images
 * without decoding them; inspect and the recipe use the header it returns for sizes and modes.
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
        ImageHeader h = ImageHeader.read(b);
        if (b.length > 0 && !h.known()) {
            StringBuilder hex = new StringBuilder();
            for (int i = 0; i < Math.min(8, b.length); i++) {
                hex.append(String.format("%02x ", b[i] & 0xff));
            }
            throw new IOException("not an image: unknown format (first bytes " + hex.toString().trim() + ")");
        }
        return Decoder.check(b);
    }
}
