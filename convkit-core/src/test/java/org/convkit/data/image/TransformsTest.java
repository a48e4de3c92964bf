package org.convkit.data.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.convkit.core.ConvkitException;
import org.convkit.data.Image;
import org.junit.jupiter.api.Test;

/** Sizes, samplers and the option syntax; pixel values are checked against torchvision in TorchvisionParityTest. */
class TransformsTest {

    private static Image ramp(int w, int h, int c) {
        byte[] d = new byte[w * h * c];
        for (int i = 0; i < d.length; i++) {
            d[i] = (byte) (i * 7);
        }
        return new Image(w, h, c, d);
    }

    @Test
    void resizeSizesFollowTorchvision() {
        // torchvision: short side -> size, long side -> int(size * long / short)
        assertArrayEquals(new int[] {224, 298}, Resize.shorterSide(224).outputSize(375, 500));
        assertArrayEquals(new int[] {298, 224}, Resize.shorterSide(224).outputSize(500, 375));
        assertArrayEquals(new int[] {256, 341}, Resize.shorterSide(256).outputSize(480, 640)); // 341.33 truncated
        assertArrayEquals(new int[] {10, 20}, Resize.to(10, 20).outputSize(480, 640));
        Image out = Resize.shorterSide(16).apply(ramp(40, 32, 3));
        assertEquals(16, out.height());
        assertEquals(20, out.width());
    }

    @Test
    void resizeOfAConstantImageIsConstant() {
        byte[] d = new byte[30 * 20 * 3];
        java.util.Arrays.fill(d, (byte) 200);
        for (int[] hw : new int[][] {{7, 11}, {100, 33}, {20, 30}}) {
            Image out = Resize.to(hw[0], hw[1]).apply(new Image(30, 20, 3, d));
            for (byte b : out.data()) {
                assertEquals(200, b & 0xFF, "normalized weights keep flat areas flat");
            }
        }
    }

    @Test
    void centerCropRoundsLikePythonAndPads() {
        Image img = ramp(5, 5, 1);
        // offsets round((5 - 2) / 2) = round(1.5) = 2 (half to even)
        Image c = new CenterCrop(2, 2).apply(img);
        assertEquals(img.get(2, 2, 0), c.get(0, 0, 0));
        // crop larger than the image: zero padding, (d // 2) before
        Image p = new CenterCrop(8, 6).apply(img);
        assertEquals(6, p.width());
        assertEquals(8, p.height());
        assertEquals(0, p.get(0, 0, 0));
        assertEquals(img.get(0, 0, 0), p.get(0, 1, 0)); // left pad 0 (1 // 2), top pad 1 (3 // 2)
    }

    @Test
    void randomResizedCropSamplesTheDocumentedRanges() {
        RandomResizedCrop rrc = new RandomResizedCrop(224, 224);
        SplittableRandom rng = new SplittableRandom(1);
        int h = 375;
        int w = 500;
        double minScale = 1;
        double maxScale = 0;
        double minRatio = 10;
        double maxRatio = 0;
        double sumScale = 0;
        int n = 20000;
        for (int i = 0; i < n; i++) {
            RandomResizedCrop.Box b = rrc.sample(h, w, rng);
            assertTrue(b.top() >= 0 && b.left() >= 0 && b.top() + b.height() <= h && b.left() + b.width() <= w, "inside: " + b);
            double scale = (double) b.height() * b.width() / (h * w);
            double ratio = (double) b.width() / b.height();
            minScale = Math.min(minScale, scale);
            maxScale = Math.max(maxScale, scale);
            minRatio = Math.min(minRatio, ratio);
            maxRatio = Math.max(maxRatio, ratio);
            sumScale += scale;
        }
        // rounding to whole pixels blurs the limits by a pixel
        assertTrue(minScale >= 0.075 && minScale < 0.09, "smallest area fraction " + minScale);
        assertTrue(maxScale > 0.9 && maxScale <= 1.0, "largest area fraction " + maxScale);
        assertTrue(minRatio >= 0.74 && minRatio < 0.77, "smallest ratio " + minRatio);
        assertTrue(maxRatio > 1.30 && maxRatio <= 1.345, "largest ratio " + maxRatio);
        // accepted scales are uniform on [0.08, 1] minus rejections of large boxes: mean below 0.54
        double mean = sumScale / n;
        assertTrue(mean > 0.40 && mean < 0.54, "mean area fraction " + mean);
    }

    @Test
    void randomResizedCropFallsBackToTheCentralCrop() {
        // a 1000x10 strip: no box with ratio in [3/4, 4/3] and area >= 8% fits, ten tries fail
        RandomResizedCrop rrc = new RandomResizedCrop(32, 32);
        RandomResizedCrop.Box b = rrc.sample(10, 1000, new SplittableRandom(3));
        // in_ratio 100 > 4/3: h = 10, w = round(10 * 4/3) = 13, centred
        assertEquals(new RandomResizedCrop.Box(0, (1000 - 13) / 2, 10, 13), b);
    }

    @Test
    void randomCropPaddingAndOffsets() {
        RandomCrop rc = new RandomCrop(32, 32, new int[] {4}, false, new int[] {0});
        Image img = ramp(32, 32, 3);
        Image padded = rc.pad(img);
        assertEquals(40, padded.width());
        SplittableRandom rng = new SplittableRandom(5);
        boolean[] seen = new boolean[9];
        for (int i = 0; i < 2000; i++) {
            RandomCrop.Offset o = rc.sample(40, 40, rng);
            assertTrue(o.top() >= 0 && o.top() <= 8 && o.left() >= 0 && o.left() <= 8);
            seen[o.top()] = true;
        }
        for (boolean s : seen) {
            assertTrue(s, "every offset 0..8 drawn");
        }
        assertEquals(img.get(0, 0, 0), rc.crop(padded, new RandomCrop.Offset(4, 4)).get(0, 0, 0));
        RandomCrop needs = new RandomCrop(50, 50, new int[0], true, new int[] {0});
        assertEquals(50, needs.apply(img, rng).width());
        assertThrows(IllegalArgumentException.class, () -> new RandomCrop(50, 50, new int[0], false, new int[] {0}).apply(img, rng));
    }

    @Test
    void paddingModesRepeatTheImagesOwnPixelsAsNumpysPadDoes() {
        // one row 1 2 3 padded by 5 on each side (wider than the row: the mirror repeats); the
        // expected rows are np.pad([1, 2, 3], 5, mode)
        Image row = new Image(3, 1, 1, new byte[] {1, 2, 3});
        assertArrayEquals(new byte[] {1, 1, 1, 1, 1, 1, 2, 3, 3, 3, 3, 3, 3},
                Pixels.pad(row, 5, 0, 5, 0, new int[] {0}, PaddingMode.EDGE).data());
        assertArrayEquals(new byte[] {2, 1, 2, 3, 2, 1, 2, 3, 2, 1, 2, 3, 2},
                Pixels.pad(row, 5, 0, 5, 0, new int[] {0}, PaddingMode.REFLECT).data());
        assertArrayEquals(new byte[] {2, 3, 3, 2, 1, 1, 2, 3, 3, 2, 1, 1, 2},
                Pixels.pad(row, 5, 0, 5, 0, new int[] {0}, PaddingMode.SYMMETRIC).data());
        assertArrayEquals(new byte[] {9, 9, 1, 2, 3, 9},
                Pixels.pad(row, 2, 0, 1, 0, new int[] {9}, PaddingMode.CONSTANT).data());
        // rows and columns alike, every channel: a 2x2 RGB image reflected by 1 is the 4x4 whose
        // corners are the diagonal opposite pixels
        Image img = ramp(2, 2, 3);
        Image padded = Pixels.pad(img, 1, 1, 1, 1, new int[] {0}, PaddingMode.REFLECT);
        assertEquals(4, padded.width());
        assertEquals(4, padded.height());
        byte[] d = padded.data();
        for (int ch = 0; ch < 3; ch++) {
            assertEquals(img.data()[(1 * 2 + 1) * 3 + ch], d[ch], "top-left corner is pixel (1, 1)");
            assertEquals(img.data()[ch], d[(1 * 4 + 1) * 3 + ch], "the image itself sits at (1, 1)");
            assertEquals(img.data()[ch], d[(3 * 4 + 3) * 3 + ch], "bottom-right corner is pixel (0, 0)");
            assertEquals(img.data()[(1 * 2 + 0) * 3 + ch], d[(2 * 4 + 3) * 3 + ch], "row 2, column 3 is pixel (1, 0)");
        }
    }

    @Test
    void randomCropTakesAPaddingModeAndSaysItInItsSpec() {
        Pipeline p = PipelineParser.parse("randomcrop=8:padding=2:padding_mode=reflect", "--transforms");
        assertEquals("randomcrop=8:padding=2/2/2/2:padding_mode=reflect", p.spec());
        assertEquals(p.spec(), PipelineParser.parse(p.spec(), "x").spec());
        // a reflected border repeats pixels of the image: every crop holds only values the image has
        byte[] pixels = new byte[64];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (byte) (100 + i); // no black: a constant border would show
        }
        Image img = new Image(8, 8, 1, pixels);
        Pipeline constant = PipelineParser.parse("randomcrop=8:padding=2", "x");
        boolean black = false;
        for (int s = 0; s < 20 && !black; s++) {
            for (byte b : constant.transform(img, new SplittableRandom(s)).data()) {
                black |= b == 0;
            }
        }
        assertTrue(black, "the constant border shows in some crop (so the check below can fail)");
        java.util.Set<Byte> values = new java.util.HashSet<>();
        for (byte b : img.data()) {
            values.add(b);
        }
        for (int s = 0; s < 20; s++) {
            for (byte b : p.transform(img, new SplittableRandom(s)).data()) {
                assertTrue(values.contains(b), "value " + b + " is not in the image");
            }
        }
        ConvkitException e = assertThrows(ConvkitException.class,
                () -> PipelineParser.parse("randomcrop=8:padding=2:padding_mode=mirror", "--transforms"));
        assertEquals("--transforms step 'randomcrop=8:padding=2:padding_mode=mirror': padding_mode mirror: expected"
                + " constant, edge, reflect or symmetric", e.getMessage());
    }

    @Test
    void flipsAndJitterDependOnlyOnTheGenerator() {
        Image img = ramp(9, 7, 3);
        Pipeline p = PipelineParser.parse("randomresizedcrop=8,hflip,vflip,colorjitter=0.4/0.4/0.4/0.1,rotation=20", "--transforms");
        Image a = p.transform(img, new SplittableRandom(11));
        Image b = p.transform(img, new SplittableRandom(11));
        assertArrayEquals(a.data(), b.data());
        boolean differs = false;
        for (int s = 0; s < 10 && !differs; s++) {
            differs = !java.util.Arrays.equals(a.data(), p.transform(img, new SplittableRandom(100 + s)).data());
        }
        assertTrue(differs, "other seeds give other augmentations");
        int flips = 0;
        RandomFlip f = RandomFlip.horizontal(0.5);
        SplittableRandom rng = new SplittableRandom(2);
        for (int i = 0; i < 10000; i++) {
            flips += f.sample(rng) ? 1 : 0;
        }
        assertTrue(Math.abs(flips - 5000) < 300, "p = 0.5: " + flips);
        assertArrayEquals(img.data(), Pixels.flipHorizontal(Pixels.flipHorizontal(img)).data());
    }

    @Test
    void colorJitterFactorsAndOrder() {
        ColorJitter cj = new ColorJitter(0.4, 0, 0.2, 0.1);
        SplittableRandom rng = new SplittableRandom(4);
        boolean[][] firstSeen = new boolean[4][4];
        for (int i = 0; i < 2000; i++) {
            ColorJitter.Params p = cj.sample(rng);
            assertTrue(p.brightness() >= 0.6 && p.brightness() <= 1.4);
            assertTrue(Double.isNaN(p.contrast()), "contrast 0 is off, as in torchvision");
            assertTrue(p.saturation() >= 0.8 && p.saturation() <= 1.2);
            assertTrue(p.hue() >= -0.1 && p.hue() <= 0.1);
            firstSeen[0][p.order()[0]] = true;
            assertEquals(6, p.order()[0] + p.order()[1] + p.order()[2] + p.order()[3]);
        }
        for (boolean s : firstSeen[0]) {
            assertTrue(s, "each adjustment comes first sometimes");
        }
        // PIL blend: brightness 0.5 of 255 is int(127.5) = 127; 1.5 clips at 255
        Image white = new Image(1, 1, 3, new byte[] {(byte) 255, (byte) 255, (byte) 255});
        assertEquals(127, ColorJitter.brightness(white, 0.5).get(0, 0, 0));
        assertEquals(255, ColorJitter.brightness(white, 1.5).get(0, 0, 0));
        Image gray = Pixels.toChannels(ramp(5, 5, 3), 1);
        assertArrayEquals(gray.data(), ColorJitter.hue(gray, 0.3).data(), "hue leaves gray images alone");
    }

    @Test
    void parserBuildsStepsAndRoundTrips() {
        Pipeline p = PipelineParser.parse("resize=256, centercrop=224,hflip,normalize=imagenet", "--transforms");
        assertEquals(3, p.steps().size());
        assertArrayEquals(new int[] {224, 224}, p.fixedSize());
        assertTrue(p.isRandom());
        assertEquals("resize=256,centercrop=224,hflip,normalize=imagenet", p.spec());
        Pipeline again = PipelineParser.parse(p.spec(), "x");
        assertEquals(p.spec(), again.spec());
        Pipeline q = PipelineParser.parse(
                "rrc=32x24:scale=0.5/1:ratio=0.8/1.2,randomcrop=20:padding=2/3:pad_if_needed,rotation=-5/10,colorjitter=0.1/0.2,grayscale=3,"
                        + "normalize:mean=0.5/0.4/0.3:std=0.2/0.2/0.2",
                "--transforms");
        assertEquals(5, q.steps().size());
        assertEquals(PipelineParser.parse(q.spec(), "x").spec(), q.spec());
        assertEquals(0.4f, q.normalize().mean()[1]);
        assertFalse(PipelineParser.parse("resize=32,centercrop=32", "x").isRandom());
        assertEquals(null, PipelineParser.parse("resize=32", "x").fixedSize());
    }

    @Test
    void parserErrorsNameTheStep() {
        String[][] bad = {
            {"resize=abc", "resize=abc"},
            {"centercrop", "needs a size"},
            {"blur=3", "unknown step"},
            {"normalize=foo", "unknown normalization"},
            {"hflip,normalize=imagenet,resize=3", "last step"},
            {"colorjitter=1/1/1/0.9", "hue"},
            {"rotation=1/2/3", "rotation"},
            {"", "empty"},
        };
        for (String[] b : bad) {
            ConvkitException e = assertThrows(ConvkitException.class, () -> PipelineParser.parse(b[0], "--transforms"), b[0]);
            assertTrue(e.getMessage().contains(b[1]), b[0] + " -> " + e.getMessage());
            assertTrue(e.getMessage().contains("--transforms"), "names the option: " + e.getMessage());
        }
    }

    @Test
    void presetsNeverAugmentEvaluation() {
        for (int size : new int[] {28, 32, 96, 224}) {
            Pipeline eval = Presets.eval(size, Normalize.NONE);
            assertFalse(eval.isRandom());
            assertArrayEquals(new int[] {size, size}, eval.fixedSize());
            assertFalse(Presets.train(Presets.Augment.NONE, size, Normalize.NONE).isRandom());
            for (Presets.Augment a : new Presets.Augment[] {Presets.Augment.LIGHT, Presets.Augment.STANDARD}) {
                Pipeline t = Presets.train(a, size, Normalize.NONE);
                assertTrue(t.isRandom(), a + " augments");
                assertArrayEquals(new int[] {size, size}, t.fixedSize(), a + " at " + size);
            }
        }
        assertEquals("resize=256,centercrop=224", Presets.eval(224, Normalize.NONE).spec());
        assertEquals("resize=32,centercrop=32,randomcrop=32:padding=4/4/4/4,hflip",
                Presets.train(Presets.Augment.STANDARD, 32, Normalize.NONE).spec());
        assertTrue(Presets.train(Presets.Augment.STANDARD, 224, Normalize.NONE).spec().startsWith("randomresizedcrop=224"));
        assertThrows(ConvkitException.class, () -> Presets.Augment.parse("heavy"));
    }

    @Test
    void toTensorAndNormalize() {
        Image img = new Image(2, 1, 3, new byte[] {0, (byte) 255, 51, 102, 0, (byte) 255});
        float[] t = new float[6];
        Normalize.preset("half").toTensor(img, t, 0);
        // CHW: R plane (0, 102), G plane (255, 0), B plane (51, 255); (v/255 - 0.5) / 0.5
        assertArrayEquals(new float[] {-1f, (102 / 255f - 0.5f) / 0.5f, 1f, -1f, (51 / 255f - 0.5f) / 0.5f, 1f}, t);
        assertNotEquals(Normalize.preset("imagenet"), Normalize.preset("cifar10"));
        assertEquals(1, Normalize.preset("imagenet").forChannels(1).mean().length);
    }
}
