package org.convkit.data.image;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import javax.imageio.ImageIO;
import org.convkit.data.Image;

/**
 * Encoded bytes to pixels in the channel count the model wants (1 = gray, 3 = RGB).
 *
 * <p>First version: Java ImageIO (with TwelveMonkeys' JPEG plugin on the class path). The data
 * issue measures faster decoders and handles EXIF orientation, 16-bit, alpha and CMYK properly.
 */
public final class Decoder {
    private Decoder() {}

    /**
     * @param bytes an encoded image (JPEG, PNG, BMP, GIF)
     * @param channels 1 or 3
     * @throws IOException when the bytes are not a readable image
     */
    public static Image decode(byte[] bytes, int channels) throws IOException {
        BufferedImage img = ImageIO.read(new ByteArrayInputStream(bytes));
        if (img == null) {
            throw new IOException("not a readable image (" + bytes.length + " bytes)");
        }
        int w = img.getWidth();
        int h = img.getHeight();
        byte[] out = new byte[w * h * channels];
        int[] argb = img.getRGB(0, 0, w, h, null, 0, w);
        for (int i = 0; i < argb.length; i++) {
            int r = (argb[i] >> 16) & 0xff;
            int g = (argb[i] >> 8) & 0xff;
            int b = argb[i] & 0xff;
            if (channels == 1) {
                // ITU-R 601-2 luma, as PIL's convert("L")
                out[i] = (byte) ((r * 299 + g * 587 + b * 114 + 500) / 1000);
            } else {
                out[3 * i] = (byte) r;
                out[3 * i + 1] = (byte) g;
                out[3 * i + 2] = (byte) b;
            }
        }
        return new Image(w, h, channels, out);
    }
}
