package org.convkit.data.image;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.convkit.core.ConvkitException;

/**
 * torchvision's {@code Normalize(mean, std)} after {@code ToTensor}: {@code (v / 255 - mean) /
 * std} per channel, in float32 like torch. Presets hold published per-dataset statistics; {@link
 * NormStats} computes them from a sample of training images.
 *
 * @param mean per channel, in [0, 1] units
 * @param std per channel
 */
public record Normalize(float[] mean, float[] std) {
    /** ToTensor alone: mean 0, std 1. */
    public static final Normalize NONE = new Normalize(new float[] {0f}, new float[] {1f});

    private static final Map<String, Normalize> PRESETS = new LinkedHashMap<>();

    static {
        // ImageNet: the statistics every torchvision pretrained model expects
        PRESETS.put("imagenet", of(new double[] {0.485, 0.456, 0.406}, new double[] {0.229, 0.224, 0.225}));
        // per-pixel statistics of the training sets (population std)
        PRESETS.put("cifar10", of(new double[] {0.4914, 0.4822, 0.4465}, new double[] {0.2470, 0.2435, 0.2616}));
        PRESETS.put("cifar100", of(new double[] {0.5071, 0.4865, 0.4409}, new double[] {0.2673, 0.2564, 0.2762}));
        PRESETS.put("mnist", of(new double[] {0.1307}, new double[] {0.3081}));
        PRESETS.put("fashion-mnist", of(new double[] {0.2860}, new double[] {0.3530}));
        // maps [0, 1] to [-1, 1]
        PRESETS.put("half", of(new double[] {0.5}, new double[] {0.5}));
        PRESETS.put("none", NONE);
    }

    public Normalize {
        if (mean.length != std.length || mean.length == 0) {
            throw new IllegalArgumentException("normalize needs as many means as stds");
        }
        for (float s : std) {
            if (!(s > 0)) {
                throw new IllegalArgumentException("normalize std must be positive: " + Arrays.toString(std));
            }
        }
    }

    public static Normalize of(double[] mean, double[] std) {
        float[] m = new float[mean.length];
        float[] s = new float[std.length];
        for (int i = 0; i < m.length; i++) {
            m[i] = (float) mean[i];
        }
        for (int i = 0; i < s.length; i++) {
            s[i] = (float) std[i];
        }
        return new Normalize(m, s);
    }

    /** A preset by name: imagenet, cifar10, cifar100, mnist, fashion-mnist, half, none. */
    public static Normalize preset(String name) {
        Normalize n = PRESETS.get(name.toLowerCase(Locale.ROOT));
        if (n == null) {
            throw new ConvkitException("unknown normalization '" + name + "'; use one of " + String.join(", ", PRESETS.keySet())
                    + ", or mean=a/b/c:std=d/e/f");
        }
        return n;
    }

    /**
     * A {@code --normalize} value: a preset name ({@code imagenet}, {@code none} ...) or {@code
     * mean=a/b/c:std=d/e/f}.
     *
     * @param flag names the option in messages
     */
    public static Normalize parse(String spec, String flag) {
        if (spec.startsWith("mean=")) {
            return PipelineParser.parse("normalize:" + spec, flag).normalize();
        }
        try {
            return preset(spec);
        } catch (ConvkitException e) {
            throw new ConvkitException(flag + " " + spec + ": " + e.getMessage());
        }
    }

    public static java.util.Set<String> presetNames() {
        return PRESETS.keySet();
    }

    /** Mean of channel {@code c}: one value serves every channel. */
    public float meanOf(int c) {
        return mean[mean.length == 1 ? 0 : c];
    }

    public float stdOf(int c) {
        return std[std.length == 1 ? 0 : c];
    }

    /**
     * Mean 0 and std 1 on every channel: pixels pass as ToTensor leaves them. A checkpoint records
     * such a normalization as none at all (whatever its channel count).
     */
    public boolean isIdentity() {
        for (int c = 0; c < mean.length; c++) {
            if (mean[c] != 0f || std[c] != 1f) {
                return false;
            }
        }
        return true;
    }

    /** The same statistics for a model with {@code channels} channels (RGB stats averaged for gray). */
    public Normalize forChannels(int channels) {
        if (mean.length == 1 || mean.length == channels) {
            return this;
        }
        if (channels == 1) {
            double m = 0;
            double s = 0;
            for (int i = 0; i < mean.length; i++) {
                m += mean[i];
                s += std[i];
            }
            return of(new double[] {m / mean.length}, new double[] {s / std.length});
        }
        throw new ConvkitException("normalization has " + mean.length + " channels but the model takes " + channels);
    }

    /** HWC bytes to CHW floats at {@code dst[offset..]}: ToTensor then Normalize, float32. */
    public void toTensor(org.convkit.data.Image img, float[] dst, int offset) {
        int c = img.channels();
        int plane = img.width() * img.height();
        byte[] in = img.data();
        for (int ch = 0; ch < c; ch++) {
            float m = meanOf(ch);
            float s = stdOf(ch);
            int o = offset + ch * plane;
            for (int i = 0, j = ch; i < plane; i++, j += c) {
                dst[o + i] = ((in[j] & 0xFF) / 255f - m) / s;
            }
        }
    }

    /**
     * The value {@code --normalize} takes for this normalization (the inverse of {@link #parse}):
     * a preset's name, or {@code mean=a/b/c:std=d/e/f}.
     */
    public String flagValue() {
        String step = spec();
        return step.startsWith("normalize=") ? step.substring("normalize=".length())
                : step.substring("normalize:".length());
    }

    /** This normalization as a pipeline step ({@code normalize=imagenet}, {@code normalize:mean=...:std=...}). */
    public String spec() {
        for (Map.Entry<String, Normalize> e : PRESETS.entrySet()) {
            if (Arrays.equals(e.getValue().mean, mean) && Arrays.equals(e.getValue().std, std)) {
                return "normalize=" + e.getKey();
            }
        }
        return "normalize:mean=" + join(mean) + ":std=" + join(std);
    }

    private static String join(float[] v) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < v.length; i++) {
            sb.append(i == 0 ? "" : "/").append(v[i]);
        }
        return sb.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Normalize n && Arrays.equals(mean, n.mean) && Arrays.equals(std, n.std);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(mean) * 31 + Arrays.hashCode(std);
    }

    @Override
    public String toString() {
        return spec();
    }
}
