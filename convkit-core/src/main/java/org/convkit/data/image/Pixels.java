package org.convkit.data.image;

import org.convkit.data.Image;

/**
 * Geometry and channel operations on {@link Image}s that several transforms share: cropping with
 * padding, flips, the eight EXIF orientations, RGB/gray conversion. All return new images.
 */
public final class Pixels {
    private Pixels() {}

    /**
     * The {@code h x w} window whose top-left corner is ({@code left}, {@code top}); parts outside
     * the image are {@code fill}, as PIL's {@code crop} with a box beyond the borders.
     */
    public static Image crop(Image img, int top, int left, int h, int w, int[] fill) {
        if (top == 0 && left == 0 && h == img.height() && w == img.width()) {
            return img; // the whole image: images are never changed in place, so no copy is needed
        }
        int c = img.channels();
        byte[] out = new byte[h * w * c];
        byte[] in = img.data();
        int x0 = Math.max(0, left);
        int x1 = Math.min(img.width(), left + w);
        int y0 = Math.max(0, top);
        int y1 = Math.min(img.height(), top + h);
        boolean covers = x0 == left && y0 == top && x1 == left + w && y1 == top + h;
        if (!covers) {
            fill(out, c, fill);
        }
        if (x1 > x0) {
            int rowBytes = (x1 - x0) * c;
            for (int y = y0; y < y1; y++) {
                System.arraycopy(in, (y * img.width() + x0) * c, out, ((y - top) * w + (x0 - left)) * c, rowBytes);
            }
        }
        return new Image(w, h, c, out);
    }

    /** Adds borders of {@code fill} (torchvision's {@code pad} with padding_mode="constant"). */
    public static Image pad(Image img, int left, int top, int right, int bottom, int[] fill) {
        return crop(img, -top, -left, img.height() + top + bottom, img.width() + left + right, fill);
    }

    /**
     * Adds borders as torchvision's {@code pad(img, padding, fill, padding_mode)} does: {@code fill}
     * for {@link PaddingMode#CONSTANT}, the image's own pixels for the other modes.
     */
    public static Image pad(Image img, int left, int top, int right, int bottom, int[] fill, PaddingMode mode) {
        if (mode == PaddingMode.CONSTANT) {
            return pad(img, left, top, right, bottom, fill);
        }
        int w = img.width();
        int h = img.height();
        int c = img.channels();
        int outW = w + left + right;
        int outH = h + top + bottom;
        byte[] in = img.data();
        byte[] out = new byte[outW * outH * c];
        int[] fromX = new int[outW];
        for (int x = 0; x < outW; x++) {
            fromX[x] = mode.source(x - left, w);
        }
        for (int y = 0; y < outH; y++) {
            int row = mode.source(y - top, h) * w * c;
            int at = y * outW * c;
            System.arraycopy(in, row, out, at + left * c, w * c); // the image's own row, in one copy
            for (int x = 0; x < outW; x++) {
                if (x < left || x >= left + w) {
                    System.arraycopy(in, row + fromX[x] * c, out, at + x * c, c);
                }
            }
        }
        return new Image(outW, outH, c, out);
    }

    /** Mirror left-right (PIL FLIP_LEFT_RIGHT). */
    public static Image flipHorizontal(Image img) {
        int w = img.width();
        int c = img.channels();
        byte[] in = img.data();
        byte[] out = new byte[in.length];
        for (int y = 0; y < img.height(); y++) {
            int row = y * w * c;
            for (int x = 0; x < w; x++) {
                System.arraycopy(in, row + x * c, out, row + (w - 1 - x) * c, c);
            }
        }
        return new Image(w, img.height(), c, out);
    }

    /** Mirror top-bottom (PIL FLIP_TOP_BOTTOM). */
    public static Image flipVertical(Image img) {
        int rowBytes = img.width() * img.channels();
        byte[] in = img.data();
        byte[] out = new byte[in.length];
        for (int y = 0; y < img.height(); y++) {
            System.arraycopy(in, y * rowBytes, out, (img.height() - 1 - y) * rowBytes, rowBytes);
        }
        return new Image(img.width(), img.height(), img.channels(), out);
    }

    /**
     * Undoes an EXIF orientation (1..8) so the image is upright, as PIL's
     * {@code ImageOps.exif_transpose}.
     */
    public static Image orient(Image img, int orientation) {
        int w = img.width();
        int h = img.height();
        // each case: output (x, y) reads input (a*x + b*y + c, d*x + e*y + f)
        return switch (orientation) {
            case 2 -> flipHorizontal(img);
            case 3 -> remap(img, w, h, -1, 0, w - 1, 0, -1, h - 1); // rotate 180
            case 4 -> flipVertical(img);
            case 5 -> remap(img, h, w, 0, 1, 0, 1, 0, 0); // transpose
            case 6 -> remap(img, h, w, 0, 1, 0, -1, 0, h - 1); // rotate 90 clockwise
            case 7 -> remap(img, h, w, 0, -1, w - 1, -1, 0, h - 1); // transverse
            case 8 -> remap(img, h, w, 0, -1, w - 1, 1, 0, 0); // rotate 90 counter-clockwise
            default -> img;
        };
    }

    /** Integer affine resampling used for the lossless 90-degree family. */
    static Image remap(Image img, int outW, int outH, int a, int b, int c, int d, int e, int f) {
        int ch = img.channels();
        byte[] in = img.data();
        byte[] out = new byte[outW * outH * ch];
        int o = 0;
        for (int y = 0; y < outH; y++) {
            for (int x = 0; x < outW; x++) {
                int sx = a * x + b * y + c;
                int sy = d * x + e * y + f;
                System.arraycopy(in, (sy * img.width() + sx) * ch, out, o, ch);
                o += ch;
            }
        }
        return new Image(outW, outH, ch, out);
    }

    /** PIL's "L" from RGB: ITU-R 601-2 luma in PIL's 16-bit fixed point, so results match. */
    public static int luma(int r, int g, int b) {
        return (r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16;
    }

    /** To 1 (PIL convert("L")) or 3 (gray replicated) channels; the same image when it fits. */
    public static Image toChannels(Image img, int channels) {
        if (img.channels() == channels) {
            return img;
        }
        byte[] in = img.data();
        int n = img.width() * img.height();
        if (channels == 1 && img.channels() == 3) {
            byte[] out = new byte[n];
            for (int i = 0, j = 0; i < n; i++, j += 3) {
                out[i] = (byte) luma(in[j] & 0xFF, in[j + 1] & 0xFF, in[j + 2] & 0xFF);
            }
            return new Image(img.width(), img.height(), 1, out);
        }
        if (channels == 3 && img.channels() == 1) {
            byte[] out = new byte[n * 3];
            for (int i = 0, j = 0; i < n; i++, j += 3) {
                out[j] = out[j + 1] = out[j + 2] = in[i];
            }
            return new Image(img.width(), img.height(), 3, out);
        }
        throw new IllegalArgumentException("channels must be 1 or 3, not " + channels);
    }

    /** A fill value per channel from 1 value (all channels) or {@code channels} values. */
    public static int[] fill(int[] values, int channels) {
        if (values.length == channels) {
            return values;
        }
        int[] f = new int[channels];
        java.util.Arrays.fill(f, values.length == 0 ? 0 : values[0]);
        return f;
    }

    private static void fill(byte[] out, int c, int[] fill) {
        int[] f = fill(fill, c);
        boolean zero = true;
        for (int v : f) {
            zero &= v == 0;
        }
        if (zero) {
            return;
        }
        for (int i = 0; i < out.length; i += c) {
            for (int k = 0; k < c; k++) {
                out[i + k] = (byte) f[k];
            }
        }
    }

    /** Our HWC bytes as a Java image (gray, or RGB stored as 3-byte BGR) for ImageIO and drawing. */
    public static java.awt.image.BufferedImage toBufferedImage(Image img) {
        java.awt.image.BufferedImage bi = new java.awt.image.BufferedImage(img.width(), img.height(),
                img.channels() == 1 ? java.awt.image.BufferedImage.TYPE_BYTE_GRAY
                        : java.awt.image.BufferedImage.TYPE_3BYTE_BGR);
        // data elements are per pixel in band order (R, G, B); the raster maps them to BGR storage
        bi.getRaster().setDataElements(0, 0, img.width(), img.height(), img.data());
        return bi;
    }
}
