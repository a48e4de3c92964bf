package org.convkit.model.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.nn.Block;
import ai.djl.nn.convolutional.Conv2d;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.convkit.core.EngineSettings;
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
        EngineSettings nchw = new Levers.Nchw().enable(EngineSettings.PLAIN);
        EngineSettings channelsLast = new Levers.ChannelsLast().enable(EngineSettings.PLAIN);
        Lever bf16 = new Levers.Bf16();
        // a layout, and bfloat16 on it, are checked alike: for what the layout is used for
        for (Lever l : List.of(new Levers.Nchw(), bf16)) {
            EngineSettings s = l.isLayout() ? nchw : bf16.enable(nchw);
            assertEquals(Levers.TRAINING_AND_EVALUATION, l.checkedFor(s));
            long training = l.probes(s).stream().filter(p -> ((BlockProbe) p).mode() == BlockProbe.Mode.TRAIN).count();
            // bf16: not the layers' training pass (ill-conditioned through training-mode BatchNorm, Probes.bf16)
            assertEquals(Probes.CONVOLUTIONS.size() + (l.isLayout() ? 1 : 0), training,
                    l.name() + ": every convolution (and the layers), backward too");
        }
        for (Lever l : List.of(new Levers.ChannelsLast(), bf16)) {
            EngineSettings s = l.isLayout() ? channelsLast : bf16.enable(channelsLast);
            assertEquals(Levers.EVALUATION, l.checkedFor(s));
            List<Probe> probes = l.probes(s);
            assertTrue(probes.stream().allMatch(p -> ((BlockProbe) p).mode() == BlockProbe.Mode.EVAL),
                    l.name() + " on channels-last: forward passes only");
            assertEquals(Probes.CONVOLUTIONS.size() + 1, probes.size(), "every convolution and the layers");
            assertEquals(probes.size(), probes.stream().map(Probe::name).distinct().count(),
                    "names apart from the training probes (the references are cached by name)");
        }
        assertEquals(Levers.EVALUATION, new Levers.BatchNormFold().checkedFor(nchw), "folding serves evaluation only");
        assertEquals(BlockProbe.FORWARD_BF16, ((BlockProbe) bf16.probes(nchw).get(0)).tolerance("forward", bf16.enable(nchw)));
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
