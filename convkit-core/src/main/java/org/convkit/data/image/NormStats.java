package org.convkit.data.image;

import java.util.SplittableRandom;
import org.convkit.data.Image;
import org.convkit.data.ImageSource;
import org.convkit.data.Sample;

/**
 * Per-channel mean and standard deviation of the pixels of a random sample of training images
 * (in [0, 1] units, over all pixels pooled), the statistics {@link Normalize} takes.
 */
public final class NormStats {
    private NormStats() {}

    /**
     * @param source training images
     * @param channels 1 or 3
     * @param maxImages how many images to look at (at most the source size), e.g. 1000
     * @param seed which images
     * @return the statistics; unreadable images are passed over
     */
    public static Normalize compute(ImageSource source, int channels, int maxImages, long seed) {
        int n = source.size();
        int take = Math.min(n, maxImages);
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        SplittableRandom rng = new SplittableRandom(seed);
        for (int i = 0; i < take; i++) { // partial Fisher-Yates: the first `take` are a uniform sample
            int j = i + rng.nextInt(n - i);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        double[] sum = new double[channels];
        double[] sq = new double[channels];
        long count = 0;
        for (int k = 0; k < take; k++) {
            Image img;
            try {
                Sample s = source.get(order[k]);
                img = Decoder.image(s, channels);
            } catch (Exception e) {
                continue;
            }
            byte[] d = img.data();
            for (int i = 0; i < d.length; i++) {
                double v = (d[i] & 0xFF) / 255.0;
                sum[i % channels] += v;
                sq[i % channels] += v * v;
            }
            count += (long) img.width() * img.height();
        }
        if (count == 0) {
            throw new org.convkit.core.ConvkitException(
                    "cannot compute normalization statistics: none of " + take + " sampled images of " + source.describe() + " could be read");
        }
        double[] mean = new double[channels];
        double[] std = new double[channels];
        for (int c = 0; c < channels; c++) {
            mean[c] = sum[c] / count;
            std[c] = Math.sqrt(Math.max(sq[c] / count - mean[c] * mean[c], 1e-12));
        }
        return Normalize.of(mean, std);
    }
}
