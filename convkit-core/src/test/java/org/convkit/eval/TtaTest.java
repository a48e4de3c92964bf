package org.convkit.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import org.convkit.core.ConvkitException;
import org.convkit.core.Runtime;
import org.convkit.model.ConvNet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Flip test-time augmentation is the mean of the logits of the two passes, as done by hand. */
class TtaTest {
    @Test
    void evaluatorFlipEqualsTheTwoPassesAveragedByHand() {
        Runtime.init();
        Engine.getInstance().setRandomSeed(5);
        try (NDManager m = NDManager.newBaseManager()) {
            ConvNet net = TinyNets.convBnDropout(3, 8, 5, 2).initialize(m);
            NDArray x = m.randomNormal(new Shape(6, 3, 8, 8));
            Evaluator plain = new Evaluator(net, Device.cpu());
            var a = plain.logits(x, 4, m);
            var b = plain.logits(x.flip(3), 4, m);
            var tta = plain.withTta(Tta.FLIP).logits(x, 4, m);
            assertEquals(2, tta.size(), "every head");
            for (int h = 0; h < 2; h++) {
                NDArray byHand = a.get(h).add(b.get(h)).div(2);
                assertTrue(tta.get(h).sub(byHand).abs().max().getFloat() < 1e-6f, "head " + h);
                assertTrue(tta.get(h).sub(a.get(h)).abs().max().getFloat() > 1e-4f, "the mirror pass changed something");
            }
        }
    }

    @Test
    void classifierFlipEqualsTheTwoPassesAveragedByHand(@TempDir Path tmp) {
        Path ckpt = ClassifierTest.convBnCheckpoint(tmp.resolve("ckpt"));
        try (TorchClassifier plain = TorchClassifier.open(ckpt, new TorchClassifier.Options("cpu", null, 8));
                TorchClassifier flip = TorchClassifier.open(ckpt, new TorchClassifier.Options("cpu", null, 8, Tta.FLIP))) {
            ModelCard card = plain.card();
            int c = card.channels();
            int h = card.height();
            int w = card.width();
            int n = 3;
            float[] pixels = new float[n * c * h * w];
            java.util.Random rnd = new java.util.Random(9);
            for (int i = 0; i < pixels.length; i++) {
                pixels[i] = (float) rnd.nextGaussian();
            }
            float[] mirrored = new float[pixels.length];
            for (int row = 0; row < n * c * h; row++) {
                for (int col = 0; col < w; col++) {
                    mirrored[row * w + col] = pixels[row * w + (w - 1 - col)];
                }
            }
            float[] a = plain.logits(pixels, n)[0];
            float[] b = plain.logits(mirrored, n)[0];
            float[] t = flip.logits(pixels, n)[0];
            double changed = 0;
            for (int i = 0; i < t.length; i++) {
                assertEquals((a[i] + b[i]) / 2, t[i], 1e-5, "score " + i);
                changed = Math.max(changed, Math.abs(t[i] - a[i]));
            }
            assertTrue(changed > 1e-4, "the mirror pass changed something");
        }
    }

    @Test
    void parses() {
        assertEquals(Tta.NONE, Tta.parse(null, "--tta"));
        assertEquals(Tta.FLIP, Tta.parse(" Flip", "--tta"));
        ConvkitException e = assertThrows(ConvkitException.class, () -> Tta.parse("rotate", "--tta"));
        assertTrue(e.getMessage().startsWith("--tta rotate: use none or flip"), e.getMessage());
    }
}
