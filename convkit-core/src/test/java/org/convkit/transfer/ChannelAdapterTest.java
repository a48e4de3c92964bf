package org.convkit.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.convkit.core.ConvkitException;
import org.convkit.core.Runtime;
import org.convkit.model.ConvNet;
import org.convkit.model.weights.Checkpoint;
import org.convkit.model.weights.KeyMap;
import org.convkit.model.weights.ModelInfo;
import org.convkit.model.weights.Weights;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Adapted first convolutions answer as the original network does on the equivalent input: a gray
 * image through the RGB-to-gray network equals its 3-channel copy through the RGB network; an RGB
 * image through the gray-to-RGB network equals its channel mean through the gray network.
 */
class ChannelAdapterTest {
    @Test
    void rgbWeightsOnGrayImagesSumTheFilters(@TempDir Path tmp) {
        Runtime.init().setRandomSeed(11);
        try (NDManager m = NDManager.newBaseManager()) {
            ConvNet rgb = Fixtures.resnet(3, 5).initialize(m);
            Path saved = tmp.resolve("rgb");
            Checkpoint.save(saved, rgb, ModelInfo.empty(), null);
            ConvNet gray = Fixtures.resnet(1, 5).initialize(m);

            ConvkitException refused = assertThrows(ConvkitException.class, () -> BackboneWeights.load(gray, saved, false));
            assertTrue(refused.getMessage().contains("3-channel") && refused.getMessage().contains("--adapt-channels"),
                    refused.getMessage());

            List<String> notes = new ArrayList<>();
            BackboneWeights.load(gray, saved, true, KeyMap.NONE, notes::add);
            assertEquals(1, notes.size(), notes.toString());
            assertTrue(notes.get(0).contains("adapted from 3 to 1"), notes.get(0));
            copyHead(rgb, gray); // the head is left fresh by fine-tuning; give it the same values to compare outputs
            NDArray x = m.randomUniform(0, 1, new Shape(2, 1, 8, 8));
            NDArray y3 = forward(rgb, x.repeat(1, 3), m);
            NDArray y1 = forward(gray, x, m);
            assertClose(y3, y1);
        }
    }

    @Test
    void grayWeightsOnRgbImagesRepeatTheFilterDividedByThree(@TempDir Path tmp) {
        Runtime.init().setRandomSeed(12);
        try (NDManager m = NDManager.newBaseManager()) {
            ConvNet gray = Fixtures.resnet(1, 5).initialize(m);
            Path file = tmp.resolve("gray.safetensors");
            Weights.exportTorch(gray, file); // a PyTorch state dict with torchvision's keys
            ConvNet rgb = Fixtures.resnet(3, 5).initialize(m);
            assertThrows(ConvkitException.class, () -> BackboneWeights.load(rgb, file, false));
            BackboneWeights.load(rgb, file, true);
            copyHead(gray, rgb);
            NDArray x = m.randomUniform(0, 1, new Shape(2, 3, 8, 8));
            NDArray mean = x.mean(new int[] {1}, true);
            assertClose(forward(gray, mean, m), forward(rgb, x, m));
        }
    }

    @Test
    void adaptChannelsWithNothingToAdaptSaysSo(@TempDir Path tmp) {
        Runtime.init().setRandomSeed(14);
        try (NDManager m = NDManager.newBaseManager()) {
            ConvNet rgb = Fixtures.resnet(3, 5).initialize(m);
            Path saved = tmp.resolve("rgb");
            Checkpoint.save(saved, rgb, ModelInfo.empty(), null);
            ConvNet same = Fixtures.resnet(3, 5).initialize(m);
            List<String> notes = new ArrayList<>();
            BackboneWeights.load(same, saved, true, KeyMap.NONE, notes::add);
            assertEquals(1, notes.size(), notes.toString());
            assertTrue(notes.get(0).startsWith("--adapt-channels: nothing to adapt") && notes.get(0).contains("3 channels"),
                    notes.get(0));
            notes.clear();
            BackboneWeights.load(same, saved, false, KeyMap.NONE, notes::add);
            assertTrue(notes.isEmpty(), "no flag, no note: " + notes);
        }
    }

    @Test
    void otherLayersThatDoNotFitAreNamed(@TempDir Path tmp) {
        Runtime.init();
        try (NDManager m = NDManager.newBaseManager()) {
            ConvNet narrow = Fixtures.resnet(3, 5).initialize(m);
            Path saved = tmp.resolve("narrow");
            Checkpoint.save(saved, narrow, ModelInfo.empty(), null);
            ConvNet wide = org.convkit.model.Zoo.create("resnet18", narrow.options().withWidthMultiplier(0.25)).initialize(m);
            ConvkitException e = assertThrows(ConvkitException.class, () -> BackboneWeights.load(wide, saved, false));
            assertTrue(e.getMessage().contains("wrong shape") && e.getMessage().contains("backbone.layer1"), e.getMessage());
        }
    }

    @Test
    void aBackboneWithOtherHeadsLoadsUnderANewHead(@TempDir Path tmp) {
        Runtime.init().setRandomSeed(13);
        try (NDManager m = NDManager.newBaseManager()) {
            ConvNet digits = org.convkit.model.Zoo.create("resnet18", Fixtures.resnet(3, 11).options().withHeads(4))
                    .initialize(m);
            Path saved = tmp.resolve("digits");
            Checkpoint.save(saved, digits, ModelInfo.empty(), null);
            ConvNet one = Fixtures.resnet(3, 2).initialize(m);
            BackboneWeights.load(one, saved, false);
            digits.parametersByPath().forEach((path, p) -> {
                if (path.startsWith("backbone.")) {
                    org.junit.jupiter.api.Assertions.assertArrayEquals(p.getArray().toFloatArray(),
                            one.parametersByPath().get(path).getArray().toFloatArray(), path);
                }
            });
        }
    }

    private static NDArray forward(ConvNet net, NDArray x, NDManager m) {
        return net.forward(new ParameterStore(m, false), new NDList(x), false).get(0);
    }

    private static void copyHead(ConvNet from, ConvNet to) {
        Map<String, NDArray> head = new LinkedHashMap<>();
        from.parametersByPath().forEach((p, v) -> {
            if (p.startsWith("head.")) {
                head.put(p, v.getArray());
            }
        });
        head.forEach((p, v) -> to.parametersByPath().get(p).getArray().set(new ai.djl.ndarray.index.NDIndex(":"), v));
    }

    private static void assertClose(NDArray a, NDArray b) {
        float[] x = a.toFloatArray();
        float[] y = b.toFloatArray();
        assertEquals(x.length, y.length);
        double scale = 0;
        double diff = 0;
        for (int i = 0; i < x.length; i++) {
            scale = Math.max(scale, Math.abs(x[i]));
            diff = Math.max(diff, Math.abs(x[i] - y[i]));
        }
        assertTrue(diff <= 1e-5 * Math.max(1, scale), "max |diff| " + diff + " (max |logit| " + scale + ")");
    }
}
