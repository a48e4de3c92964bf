package org.convkit.data.image;

import org.convkit.data.Image;

/**
 * PIL's {@code Image.resize(size, BILINEAR, box)} on 8-bit images: a separable triangle filter
 * whose support grows with the downscale factor (so downscaling averages every source pixel, the
 * "antialias" torchvision's PIL path always has), coefficients normalized per output pixel and
 * applied in 22-bit fixed point, horizontal pass first (rounded to 8 bits), then vertical.
 *
 * <p>Written here rather than taken from a library because no Java library reproduces PIL's
 * numbers, and the point is to feed the network what torchvision would.
 */
final class Resample {
    private static final int PRECISION_BITS = 32 - 8 - 2;

    private Resample() {}

    /** Resize to {@code outW x outH}, reading the source region {@code box = x0,y0,x1,y1}. */
    static Image bilinear(Image img, int outW, int outH, double x0, double y0, double x1, double y1) {
        boolean needH = outW != img.width() || x0 != 0 || x1 != outW;
        boolean needV = outH != img.height() || y0 != 0 || y1 != outH;
        Coeffs vert = Coeffs.of(img.height(), y0, y1, outH);
        Image src = img;
        if (needH) {
            Coeffs horiz = Coeffs.of(img.width(), x0, x1, outW);
            // only the rows the vertical pass will read
            int first = vert.start[0];
            int last = vert.start[outH - 1] + vert.count[outH - 1];
            for (int i = 0; i < outH; i++) {
                vert.start[i] -= first;
            }
            src = horizontal(img, horiz, first, last - first);
        }
        if (needV) {
            src = vertical(src, vert, outH);
        }
        if (src == img) {
            return new Image(img.width(), img.height(), img.channels(), img.data().clone());
        }
        return src;
    }

    private static Image horizontal(Image in, Coeffs k, int rowOffset, int rows) {
        int c = in.channels();
        int outW = k.count.length;
        byte[] src = in.data();
        byte[] out = new byte[outW * rows * c];
        int inRow = in.width() * c;
        int half = 1 << (PRECISION_BITS - 1);
        for (int y = 0; y < rows; y++) {
            int rowBase = (y + rowOffset) * inRow;
            int o = y * outW * c;
            for (int x = 0; x < outW; x++) {
                int start = k.start[x];
                int n = k.count[x];
                int kb = x * k.ksize;
                int p = rowBase + start * c;
                if (c == 3) {
                    int s0 = half;
                    int s1 = half;
                    int s2 = half;
                    for (int i = 0; i < n; i++, p += 3) {
                        int w = k.k[kb + i];
                        s0 += (src[p] & 0xFF) * w;
                        s1 += (src[p + 1] & 0xFF) * w;
                        s2 += (src[p + 2] & 0xFF) * w;
                    }
                    out[o++] = clip8(s0);
                    out[o++] = clip8(s1);
                    out[o++] = clip8(s2);
                } else {
                    int s0 = half;
                    for (int i = 0; i < n; i++, p++) {
                        s0 += (src[p] & 0xFF) * k.k[kb + i];
                    }
                    out[o++] = clip8(s0);
                }
            }
        }
        return new Image(outW, rows, c, out);
    }

    private static Image vertical(Image in, Coeffs k, int outH) {
        int c = in.channels();
        int rowBytes = in.width() * c;
        byte[] src = in.data();
        byte[] out = new byte[outH * rowBytes];
        int half = 1 << (PRECISION_BITS - 1);
        int[] acc = new int[rowBytes];
        for (int y = 0; y < outH; y++) {
            java.util.Arrays.fill(acc, half);
            int kb = y * k.ksize;
            for (int i = 0; i < k.count[y]; i++) {
                int w = k.k[kb + i];
                int p = (k.start[y] + i) * rowBytes;
                for (int x = 0; x < rowBytes; x++) {
                    acc[x] += (src[p + x] & 0xFF) * w;
                }
            }
            int o = y * rowBytes;
            for (int x = 0; x < rowBytes; x++) {
                out[o + x] = clip8(acc[x]);
            }
        }
        return new Image(in.width(), outH, c, out);
    }

    private static byte clip8(int v) {
        int r = v >> PRECISION_BITS;
        return (byte) (r < 0 ? 0 : Math.min(r, 255));
    }

    /** Per output pixel: first source index, how many, and fixed-point weights. */
    private static final class Coeffs {
        int ksize;
        int[] start;
        int[] count;
        int[] k;

        static Coeffs of(int inSize, double in0, double in1, int outSize) {
            double scale = (in1 - in0) / outSize;
            double filterscale = Math.max(scale, 1.0);
            double support = 1.0 * filterscale; // the triangle filter's support is 1
            Coeffs c = new Coeffs();
            c.ksize = (int) Math.ceil(support) * 2 + 1;
            c.start = new int[outSize];
            c.count = new int[outSize];
            c.k = new int[outSize * c.ksize];
            double[] w = new double[c.ksize];
            for (int xx = 0; xx < outSize; xx++) {
                double center = in0 + (xx + 0.5) * scale;
                double ss = 1.0 / filterscale;
                int xmin = Math.max((int) (center - support + 0.5), 0);
                int xmax = Math.min((int) (center + support + 0.5), inSize) - xmin;
                double total = 0;
                for (int x = 0; x < xmax; x++) {
                    double t = Math.abs((x + xmin - center + 0.5) * ss);
                    w[x] = t < 1.0 ? 1.0 - t : 0.0;
                    total += w[x];
                }
                for (int x = 0; x < xmax; x++) {
                    double v = total != 0.0 ? w[x] / total : w[x];
                    c.k[xx * c.ksize + x] = (int) (v < 0 ? -0.5 + v * (1 << PRECISION_BITS) : 0.5 + v * (1 << PRECISION_BITS));
                }
                c.start[xx] = xmin;
                c.count[xx] = Math.max(xmax, 0);
            }
            return c;
        }
    }
}
