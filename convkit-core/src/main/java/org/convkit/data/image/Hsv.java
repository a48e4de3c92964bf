package org.convkit.data.image;

/**
 * PIL's 8-bit RGB <-> HSV conversions (modes "RGB" and "HSV"), float32 where PIL computes in
 * float, so hue jitter gives PIL's numbers.
 */
final class Hsv {
    private Hsv() {}

    static void fromRgb(int r, int g, int b, int[] hsv) {
        int max = Math.max(r, Math.max(g, b));
        int min = Math.min(r, Math.min(g, b));
        hsv[2] = max;
        if (max == min) {
            hsv[0] = 0;
            hsv[1] = 0;
            return;
        }
        float cr = max - min;
        float s = cr / max;
        float rc = (max - r) / cr;
        float gc = (max - g) / cr;
        float bc = (max - b) / cr;
        float h;
        if (r == max) {
            h = bc - gc;
        } else if (g == max) {
            h = (float) (2.0 + rc - bc);
        } else {
            h = (float) (4.0 + gc - rc);
        }
        h = (float) ((h / 6.0 + 1.0) % 1.0);
        hsv[0] = clip8((int) (h * 255.0));
        hsv[1] = clip8((int) (s * 255.0));
    }

    static void toRgb(int h, int s, int v, byte[] out, int at) {
        if (s == 0) {
            out[at] = out[at + 1] = out[at + 2] = (byte) v;
            return;
        }
        int i = (int) Math.floor((float) h * 6.0 / 255.0);
        float f = (float) ((float) h * 6.0 / 255.0 - (float) i);
        float fs = (float) (s / 255.0);
        int p = clip8((int) Math.round((float) v * (1.0 - fs)));
        int q = clip8((int) Math.round((float) v * (1.0 - fs * f)));
        int t = clip8((int) Math.round((float) v * (1.0 - fs * (1.0 - f))));
        int r;
        int g;
        int b;
        switch (i % 6) {
            case 0 -> { r = v; g = t; b = p; }
            case 1 -> { r = q; g = v; b = p; }
            case 2 -> { r = p; g = v; b = t; }
            case 3 -> { r = p; g = q; b = v; }
            case 4 -> { r = t; g = p; b = v; }
            default -> { r = v; g = p; b = q; }
        }
        out[at] = (byte) r;
        out[at + 1] = (byte) g;
        out[at + 2] = (byte) b;
    }

    private static int clip8(int v) {
        return v < 0 ? 0 : Math.min(v, 255);
    }
}
