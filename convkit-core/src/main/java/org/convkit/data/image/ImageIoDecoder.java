package org.convkit.data.image;

import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.IOException;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import org.convkit.data.Image;
import com.twelvemonkeys.imageio.stream.ByteArrayImageInputStream;

/**
 * The pure-Java fallback: ImageIO with TwelveMonkeys' JPEG reader (CMYK/YCCK, broken markers).
 *
 * <p>Pixels are read from the raster, not through {@code getRGB}: that would treat gray images as
 * linear light and brighten them. CMYK/YCCK JPEGs always come here: without an embedded ICC
 * profile TwelveMonkeys converts them exactly as PIL does (OpenCV is one level off). A CMYK JPEG
 * with an ICC profile is converted through it, which PIL does not do.
 */
final class ImageIoDecoder {
    private ImageIoDecoder() {}

    static String version() {
        return "imageio+twelvemonkeys";
    }

    static Image decode(byte[] bytes, int channels, long maxPixels, String howToRaise) throws IOException {
        ImageInputStream in = new ByteArrayImageInputStream(bytes);
        Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
        if (!readers.hasNext()) {
            throw new IOException("not an image format convkit reads (JPEG, PNG, BMP, GIF, WebP); " + bytes.length + " bytes");
        }
        ImageReader reader = readers.next();
        try {
            reader.setInput(in, true, true);
            // formats whose header we do not parse are checked here, before pixels are allocated
            Decoder.checkSize(reader.getWidth(0), reader.getHeight(0), maxPixels, howToRaise);
            BufferedImage img = reader.read(0); // GIF: the first frame
            return toImage(img, channels);
        } catch (IOException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new IOException("not a readable image: " + e, e);
        } finally {
            reader.dispose();
        }
    }

    private static Image toImage(BufferedImage img, int channels) {
        int w = img.getWidth();
        int h = img.getHeight();
        ColorModel cm = img.getColorModel();
        Raster raster = img.getRaster();
        byte[] rgb = new byte[w * h * 3];
        int bands = raster.getNumBands();
        boolean rgbSpace = cm.getColorSpace().isCS_sRGB() || cm.getColorSpace().getType() == java.awt.color.ColorSpace.TYPE_RGB;
        boolean graySpace = cm.getColorSpace().getType() == java.awt.color.ColorSpace.TYPE_GRAY;
        if (cm instanceof IndexColorModel icm) {
            int[] idx = raster.getSamples(0, 0, w, h, 0, (int[]) null);
            for (int i = 0; i < idx.length; i++) {
                int p = icm.getRGB(idx[i]);
                put(rgb, i, p >> 16, p >> 8, p);
            }
        } else if (cm instanceof java.awt.image.ComponentColorModel && (graySpace || rgbSpace) && bands >= 1) {
            int bits = cm.getComponentSize(0);
            int[] px = raster.getPixels(0, 0, w, h, (int[]) null);
            for (int i = 0, j = 0; i < w * h; i++, j += bands) {
                if (graySpace) {
                    int v = to8(px[j], bits);
                    put(rgb, i, v, v, v);
                } else {
                    put(rgb, i, to8(px[j], bits), to8(px[j + 1], bits), to8(px[j + 2], bits));
                }
            }
        } else {
            // packed RGB (BMP) or a colour space ImageIO converts itself (CMYK)
            int[] argb = img.getRGB(0, 0, w, h, null, 0, w);
            for (int i = 0; i < argb.length; i++) {
                put(rgb, i, argb[i] >> 16, argb[i] >> 8, argb[i]);
            }
        }
        return Pixels.toChannels(new Image(w, h, 3, rgb), channels);
    }

    /** 16-bit: the high byte (PIL's rawmode RGB;16B); 1..7 bits: scaled to 0..255. */
    private static int to8(int v, int bits) {
        if (bits == 8) {
            return v;
        }
        if (bits > 8) {
            return v >> (bits - 8);
        }
        return v * 255 / ((1 << bits) - 1);
    }

    private static void put(byte[] rgb, int i, int r, int g, int b) {
        rgb[3 * i] = (byte) r;
        rgb[3 * i + 1] = (byte) g;
        rgb[3 * i + 2] = (byte) b;
    }
}
