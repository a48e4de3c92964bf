package org.convkit.data.image;

import java.util.random.RandomGenerator;
import org.convkit.data.Image;

/**
 * torchvision's {@code ColorJitter(brightness, contrast, saturation, hue)} on the PIL path: a
 * random order of the four adjustments, each factor uniform in [max(0, 1 - x), 1 + x] (hue in
 * [-x, x]), applied with PIL's {@code ImageEnhance} semantics: a blend (PIL {@code Image.blend},
 * float32 weight, truncation, clipping) of the image with black (brightness), with the mean of its
 * grayscale version (contrast), with its grayscale version (saturation); hue rotates H in PIL's
 * 8-bit HSV. A zero argument leaves that adjustment out, as in torchvision.
 */
public final class ColorJitter implements Transform {
    /**
     * One draw: the order (a permutation of 0..3 = brightness, contrast, saturation, hue) and the
     * factors; NaN for an adjustment that is off.
     */
    public record Params(int[] order, double brightness, double contrast, double saturation, double hue) {}

    private final double brightness;
    private final double contrast;
    private final double saturation;
    private final double hue;

    public ColorJitter(double brightness, double contrast, double saturation, double hue) {
        if (brightness < 0 || contrast < 0 || saturation < 0) {
            throw new IllegalArgumentException("colorjitter brightness/contrast/saturation must be >= 0");
        }
        if (hue < 0 || hue > 0.5) {
            throw new IllegalArgumentException("colorjitter hue must be in [0, 0.5], not " + hue);
        }
        this.brightness = brightness;
        this.contrast = contrast;
        this.saturation = saturation;
        this.hue = hue;
    }

    public Params sample(RandomGenerator rng) {
        int[] order = {0, 1, 2, 3};
        for (int i = 3; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        double b = brightness == 0 ? Double.NaN : uniform(rng, Math.max(0, 1 - brightness), 1 + brightness);
        double c = contrast == 0 ? Double.NaN : uniform(rng, Math.max(0, 1 - contrast), 1 + contrast);
        double s = saturation == 0 ? Double.NaN : uniform(rng, Math.max(0, 1 - saturation), 1 + saturation);
        double h = hue == 0 ? Double.NaN : uniform(rng, -hue, hue);
        return new Params(order, b, c, s, h);
    }

    private static double uniform(RandomGenerator rng, double lo, double hi) {
        return lo + (hi - lo) * rng.nextDouble();
    }

    public Image apply(Image img, Params p) {
        for (int fn : p.order()) {
            switch (fn) {
                case 0 -> img = Double.isNaN(p.brightness()) ? img : brightness(img, p.brightness());
                case 1 -> img = Double.isNaN(p.contrast()) ? img : contrast(img, p.contrast());
                case 2 -> img = Double.isNaN(p.saturation()) ? img : saturation(img, p.saturation());
                case 3 -> img = Double.isNaN(p.hue()) ? img : hue(img, p.hue());
                default -> throw new IllegalArgumentException("order holds 0..3");
            }
        }
        return img;
    }

    @Override
    public Image apply(Image img, RandomGenerator rng) {
        return apply(img, sample(rng));
    }

    /** PIL {@code ImageEnhance.Brightness(img).enhance(f)}: blend with black. */
    public static Image brightness(Image img, double factor) {
        byte[] in = img.data();
        byte[] out = new byte[in.length];
        float alpha = (float) factor;
        for (int i = 0; i < in.length; i++) {
            out[i] = blend(0, in[i] & 0xFF, alpha);
        }
        return new Image(img.width(), img.height(), img.channels(), out);
    }

    /** PIL {@code ImageEnhance.Contrast(img).enhance(f)}: blend with the mean gray level. */
    public static Image contrast(Image img, double factor) {
        Image gray = Pixels.toChannels(img, 1);
        long sum = 0;
        for (byte v : gray.data()) {
            sum += v & 0xFF;
        }
        int mean = (int) ((double) sum / gray.data().length + 0.5);
        byte[] in = img.data();
        byte[] out = new byte[in.length];
        float alpha = (float) factor;
        for (int i = 0; i < in.length; i++) {
            out[i] = blend(mean, in[i] & 0xFF, alpha);
        }
        return new Image(img.width(), img.height(), img.channels(), out);
    }

    /** PIL {@code ImageEnhance.Color(img).enhance(f)}: blend with the grayscale image. */
    public static Image saturation(Image img, double factor) {
        if (img.channels() == 1) {
            return img; // L -> L -> L is the image itself
        }
        byte[] in = img.data();
        byte[] out = new byte[in.length];
        float alpha = (float) factor;
        for (int i = 0; i < in.length; i += 3) {
            int l = Pixels.luma(in[i] & 0xFF, in[i + 1] & 0xFF, in[i + 2] & 0xFF);
            out[i] = blend(l, in[i] & 0xFF, alpha);
            out[i + 1] = blend(l, in[i + 1] & 0xFF, alpha);
            out[i + 2] = blend(l, in[i + 2] & 0xFF, alpha);
        }
        return new Image(img.width(), img.height(), img.channels(), out);
    }

    /** torchvision {@code adjust_hue}: H += uint8(f * 255) in PIL's HSV, wrapping around. */
    public static Image hue(Image img, double factor) {
        if (img.channels() == 1) {
            return img;
        }
        int shift = ((int) (factor * 255)) & 0xFF; // numpy's uint8 cast of the truncated value
        byte[] in = img.data();
        byte[] out = new byte[in.length];
        int[] hsv = new int[3];
        for (int i = 0; i < in.length; i += 3) {
            Hsv.fromRgb(in[i] & 0xFF, in[i + 1] & 0xFF, in[i + 2] & 0xFF, hsv);
            Hsv.toRgb((hsv[0] + shift) & 0xFF, hsv[1], hsv[2], out, i);
        }
        return new Image(img.width(), img.height(), img.channels(), out);
    }

    /** PIL's ImagingBlend for one 8-bit value: {@code in1 + alpha * (in2 - in1)}, float32. */
    static byte blend(int in1, int in2, float alpha) {
        if (alpha == 0f) {
            return (byte) in1;
        }
        if (alpha == 1f) {
            return (byte) in2;
        }
        float v = in1 + alpha * (in2 - in1);
        if (alpha >= 0 && alpha <= 1f) {
            return (byte) (int) v;
        }
        return (byte) (v <= 0f ? 0 : v >= 255f ? 255 : (int) v);
    }

    @Override
    public boolean isRandom() {
        return true;
    }

    @Override
    public String spec() {
        return "colorjitter=" + brightness + "/" + contrast + "/" + saturation + "/" + hue;
    }
}
