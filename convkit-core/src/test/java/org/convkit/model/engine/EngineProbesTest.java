package org.convkit.model.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.nn.Block;
import ai.djl.nn.convolutional.Conv2d;
import java.util.Set;
import java.util.TreeSet;
import org.convkit.model.Zoo;
import org.junit.jupiter.api.Test;

/**
 * The self-check covers the zoo: every kind of convolution a network in it runs (kernel, stride,
 * groups) is in {@link Probes#CONVOLUTIONS}. A new network with a new kind fails here until its
 * row is added.
 */
class EngineProbesTest {
    @Test
    void everyKindOfConvolutionInTheZooIsProbed() {
        Set<String> probed = new TreeSet<>();
        for (BlockProbe p : Probes.CONVOLUTIONS) {
            collect(p.newBlock(), probed);
        }
        Set<String> missing = new TreeSet<>();
        for (org.convkit.model.Architecture e : Zoo.all()) {
            Set<String> used = new TreeSet<>();
            collect(Zoo.create(e.name(), e.defaults()), used);
            for (String kind : used) {
                if (!probed.contains(kind)) {
                    missing.add(kind + " (" + e.name() + ")");
                }
            }
        }
        assertTrue(missing.isEmpty(), "convolutions the engine self-check does not probe: " + missing
                + "; add a row to Probes.CONVOLUTIONS");
    }

    /**
     * Each layout is checked for what it is used for: NCHW (training and evaluation) on every
     * convolution forward and backward, channels-last (evaluation only) on the same convolutions
     * forward only, so that a backward-only failure cannot turn it off for evaluation.
     */
    @Test
    void layoutsAreCheckedForWhatTheyAreUsedFor() {
        Lever nchw = new Levers.Nchw();
        Lever channelsLast = new Levers.ChannelsLast();
        assertEquals(Levers.TRAINING_AND_EVALUATION, nchw.checkedFor());
        assertEquals(Levers.EVALUATION, channelsLast.checkedFor());
        long nchwTraining = nchw.probes().stream().filter(p -> ((BlockProbe) p).mode() == BlockProbe.Mode.TRAIN).count();
        assertEquals(Probes.CONVOLUTIONS.size() + 1, nchwTraining, "every convolution and the layers, backward too");
        assertTrue(channelsLast.probes().stream().allMatch(p -> ((BlockProbe) p).mode() == BlockProbe.Mode.EVAL),
                "channels-last: forward passes only");
        assertEquals(Probes.CONVOLUTIONS.size() + 1, channelsLast.probes().size(), "every convolution and the layers");
        assertEquals(channelsLast.probes().size(), channelsLast.probes().stream().map(Probe::name).distinct().count(),
                "names apart from the training probes (the references are cached by name)");
    }

    private static void collect(Block b, Set<String> kinds) {
        if (b instanceof Conv2d c) {
            kinds.add(c.getKernelShape() + " stride " + c.getStride() + " groups " + c.getGroups());
        }
        for (Block child : b.getChildren().values()) {
            collect(child, kinds);
        }
    }
}
