package org.convkit.data.image;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.random.RandomGenerator;
import org.convkit.data.Image;

/**
 * torchvision's {@code RandomRotation(degrees)} with its defaults: an angle uniform in
 * [-d, d] (or [lo, hi]), counter-clockwise about the centre, nearest-neighbour, same size
 * (expand=False), uncovered corners filled with {@code fill}. The geometry follows PIL's
 * {@code Image.rotate}: exact transposes for 0/90/180/270 where PIL takes them, otherwise PIL's
 * inverse affine map in 16.16 fixed point sampled at pixel centres.
 */
public final class RandomRotation implements Transform {
    private final double lo;
    private final double hi;
    private final int[] fill;

    public RandomRotation(double lo, double hi, int[] fill) {
        if (!(lo <= hi)) {
            throw new IllegalArgumentException("rotation range must be increasing: " + lo + " > " + hi);
        }
        this.lo = lo;
        this.hi = hi;
        this.fill = fill.clone();
    }

    /** The angle in degrees. */
    public double sample(RandomGenerator rng) {
        return lo == hi ? lo : lo + (hi - lo) * rng.nextDouble();
    }

    @Override
    public Image apply(Image img, RandomGenerator rng) {
        return rotate(img, sample(rng), fill);
    }

    /** PIL's {@code img.rotate(angle, NEAREST, expand=False, fillcolor=fill)}. */
    public static Image rotate(Image img, double angle, int[] fill) {
        int w = img.width();
        int h = img.height();
        double a = angle % 360.0;
        if (a < 0) {
            a += 360.0; // Python's modulo keeps the sign of the divisor
        }
        if (a == 0) {
            return img;
        }
        if (a == 180) {
            return Pixels.orient(img, 3);
        }
        if ((a == 90 || a == 270) && w == h) {
            return Pixels.orient(img, a == 90 ? 8 : 6);
        }
        double r = -Math.toRadians(a);
        double m0 = round15(Math.cos(r));
        double m1 = round15(Math.sin(r));
        double m3 = round15(-Math.sin(r));
        double m4 = round15(Math.cos(r));
        double cx = w / 2.0;
        double cy = h / 2.0;
        double m2 = m0 * -cx + m1 * -cy + cx;
        double m5 = m3 * -cx + m4 * -cy + cy;
        int c = img.channels();
        byte[] in = img.data();
        int[] f = Pixels.fill(fill, c);
        Image out = Pixels.crop(img, -h, -w, h, w, f); // an image of fill
        byte[] o = out.data();
        int a0 = fix(m0);
        int a1 = fix(m1);
        int a3 = fix(m3);
        int a4 = fix(m4);
        int a2 = fix(m2 + m0 * 0.5 + m1 * 0.5);
        int a5 = fix(m5 + m3 * 0.5 + m4 * 0.5);
        for (int y = 0; y < h; y++) {
            int xx = a2;
            int yy = a5;
            for (int x = 0; x < w; x++) {
                int xin = xx >> 16;
                int yin = yy >> 16;
                if (xin >= 0 && xin < w && yin >= 0 && yin < h) {
                    System.arraycopy(in, (yin * w + xin) * c, o, (y * w + x) * c, c);
                }
                xx += a0;
                yy += a3;
            }
            a2 += a1;
            a5 += a4;
        }
        return out;
    }

    private static int fix(double v) {
        return (int) Math.floor(v * 65536.0 + 0.5);
    }

    /** Python's {@code round(v, 15)}: correctly rounded, half to even. */
    private static double round15(double v) {
        return new BigDecimal(v).setScale(15, RoundingMode.HALF_EVEN).doubleValue();
    }

    @Override
    public boolean isRandom() {
        return true;
    }

    @Override
    public String spec() {
        return lo == -hi ? "rotation=" + hi : "rotation=" + lo + "/" + hi;
    }
}
