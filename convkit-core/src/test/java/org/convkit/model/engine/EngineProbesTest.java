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
            long layersInTraining = Probes.LAYERS.stream().filter(p -> p.mode() == BlockProbe.Mode.TRAIN).count();
            assertEquals(Probes.CONVOLUTIONS.size() + (l.isLayout() ? layersInTraining : 0), training,
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

    /**
     * A gradient compared with float64 must be defined where it is taken: no training probe feeds
     * computed values to ReLU or max pooling (a float32 rounding across zero or across a tie sends
     * the gradient elsewhere on a correct engine). Those layers are probed on the probe's own
     * distinct inputs, with nothing computed before them; and their distinct inputs are all
     * different, far from zero and far apart for float32.
     */
    @Test
    void trainingProbesTakeGradientsOnlyWhereTheyAreDefined() {
        for (Probe p : Probes.layout(true)) {
            BlockProbe b = (BlockProbe) p;
            if (b.mode() != BlockProbe.Mode.TRAIN) {
                continue;
            }
            List<String> kinds = new java.util.ArrayList<>();
            layers(b.newBlock(), kinds);
            if (b.distinctInput()) {
                assertTrue(kinds.stream().allMatch(k -> k.equals("kink")), b.name() + ": only ReLU and max pooling, on its"
                        + " own input: " + kinds);
                assertTrue(kinds.contains("kink"), b.name());
            } else {
                assertTrue(!kinds.contains("kink"), b.name() + " takes a gradient through ReLU or max pooling of computed"
                        + " values: " + kinds);
            }
        }
        try (ai.djl.ndarray.NDManager m = ai.djl.ndarray.NDManager.newBaseManager()) {
            ai.djl.ndarray.types.Shape shape = new ai.djl.ndarray.types.Shape(4, 48, 28, 28);
            double[] v = new ProbeInputs(m, ai.djl.ndarray.types.DataType.FLOAT32, "t").distinct("x", shape)
                    .toType(ai.djl.ndarray.types.DataType.FLOAT64, false).toDoubleArray();
            double[] sorted = v.clone();
            java.util.Arrays.sort(sorted);
            double gap = Double.MAX_VALUE;
            for (int i = 1; i < sorted.length; i++) {
                gap = Math.min(gap, sorted[i] - sorted[i - 1]);
            }
            assertTrue(gap > 1e-5, "distinct inputs are far apart for float32 (its rounding at 3 is 2.4e-7): " + gap);
            assertTrue(java.util.Arrays.stream(v).allMatch(x -> Math.abs(x) >= 0.05 && Math.abs(x) <= 3), "far from zero");
            assertTrue(v[0] != sorted[0] || v[1] != sorted[1], "in random order");
        }
    }

    /** Each leaf block of {@code b} in order: "kink" for ReLU and max pooling, else its class. */
    private static void layers(Block b, List<String> out) {
        if (b instanceof org.convkit.model.layers.Activations.Elementwise e) {
            out.add(e.name().equals("ReLU") ? "kink" : e.name());
        } else if (b instanceof Probes.Residual r && r.relu) {
            out.add("kink"); // relu(f(x) + x), applied inside the block
        } else if (b instanceof org.convkit.model.layers.GlobalMaxPool2d) {
            out.add("kink");
        } else if (b instanceof org.convkit.model.layers.Pool2d pool) {
            out.add(pool.isMax() ? "kink" : "avg pool");
        } else if (b.getChildren().isEmpty()) {
            out.add(b.getClass().getSimpleName());
        }
        for (Block child : b.getChildren().values()) {
            layers(child, out);
        }
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
