package org.convkit.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.convkit.core.ConvkitException;
import org.convkit.core.Seeds;
import org.convkit.data.Batch;
import org.junit.jupiter.api.Test;

class MixingTest {
    private static final int N = 4;
    private static final int C = 3;
    private static final int H = 16;
    private static final int W = 12;

    private static Batch batch() {
        float[] data = new float[N * C * H * W];
        Random r = new Random(7);
        for (int i = 0; i < data.length; i++) {
            data[i] = (float) r.nextGaussian();
        }
        return new Batch(data, N, C, H, W, new int[] {0, 1, 2, 3}, 1, new String[] {"a", "b", "c", "d"},
                new int[] {0, 1, 2, 3});
    }

    @Test
    void mixupBlendsEachImageWithThePreviousOne() {
        Batch b = batch();
        float[] before = b.data().clone();
        Mixing.Mixed m = new Mixing(0.2, 0).apply(b, 42);
        assertArrayEquals(before, b.data(), "the batch given is left as it was");
        int image = C * H * W;
        double s = m.share();
        assertTrue(s >= 0 && s <= 1, "share " + s);
        for (int i = 0; i < N; i++) {
            int prev = (i + N - 1) % N; // torch.roll(x, 1, 0)
            for (int k = 0; k < image; k++) {
                float want = (float) s * before[i * image + k] + (float) (1 - s) * before[prev * image + k];
                assertEquals(want, m.batch().data()[i * image + k], 1e-6f, "image " + i + " value " + k);
            }
        }
        assertArrayEquals(b.labels(), m.batch().labels(), "labels stay; the loss mixes them");
        assertTrue(!m.cutmix());
    }

    @Test
    void cutmixPastesABoxOfThePreviousImageAndItsShareIsWhatIsLeft() {
        Batch b = batch();
        int image = C * H * W;
        int boxes = 0;
        for (long seed = 0; seed < 20; seed++) {
            Mixing.Mixed m = new Mixing(0, 1).apply(b, seed);
            assertTrue(m.cutmix());
            int pasted = 0;
            for (int i = 0; i < N; i++) {
                int prev = (i + N - 1) % N;
                for (int k = 0; k < image; k++) {
                    float got = m.batch().data()[i * image + k];
                    if (got != b.data()[i * image + k]) {
                        assertEquals(b.data()[prev * image + k], got, "a changed pixel comes from the previous image");
                        pasted++;
                    }
                }
            }
            // every channel of every image gets the same box; the share is the part of the image left
            assertEquals(1 - m.share(), pasted / (double) (N * image), 1e-9, "seed " + seed);
            boxes += pasted > 0 ? 1 : 0;
        }
        assertTrue(boxes >= 15, "most draws paste a box (" + boxes + " of 20)");
    }

    @Test
    void sharesFollowBetaAlphaAlpha() {
        // Beta(a, a): mean 1/2, variance 1 / (4 (2a + 1))
        for (double alpha : new double[] {0.2, 1.0}) {
            Mixing mixing = new Mixing(alpha, 0);
            int n = 4000;
            double sum = 0;
            double sq = 0;
            for (int i = 0; i < n; i++) {
                double s = mixing.apply(batch(), Seeds.forMixing(3, i)).share();
                sum += s;
                sq += s * s;
            }
            double mean = sum / n;
            double var = sq / n - mean * mean;
            assertEquals(0.5, mean, 0.02, "mean, alpha " + alpha);
            assertEquals(1 / (4 * (2 * alpha + 1)), var, 0.1 / (4 * (2 * alpha + 1)), "variance, alpha " + alpha);
        }
    }

    @Test
    void aBatchDrawsFromItsSeedOnly() {
        Mixing both = new Mixing(0.4, 1.0);
        assertEquals(both.apply(batch(), 5).share(), both.apply(batch(), 5).share());
        assertArrayEquals(both.apply(batch(), 5).batch().data(), both.apply(batch(), 5).batch().data());
        assertNotEquals(both.apply(batch(), 5).share(), both.apply(batch(), 6).share());
        int cut = 0;
        for (long seed = 0; seed < 200; seed++) {
            cut += both.apply(batch(), seed).cutmix() ? 1 : 0;
        }
        assertTrue(cut > 70 && cut < 130, "with both, about half the batches take CutMix: " + cut);
    }

    @Test
    void aBadAlphaNamesItsFlag() {
        ConvkitException e = assertThrows(ConvkitException.class, () -> Mixing.of(-0.2, null));
        assertTrue(e.getMessage().startsWith("--mixup -0.2"), e.getMessage());
        e = assertThrows(ConvkitException.class, () -> Mixing.of(null, Double.NaN));
        assertTrue(e.getMessage().startsWith("--cutmix NaN"), e.getMessage());
        assertTrue(!Mixing.of(null, null).enabled());
        assertTrue(Mixing.of(0.0, 0.3).enabled());
    }
}
