package org.convkit.model.engine;

import static org.convkit.model.layers.Layers.adaptiveAvgPool;
import static org.convkit.model.layers.Layers.avgPool;
import static org.convkit.model.layers.Layers.bn;
import static org.convkit.model.layers.Layers.conv;
import static org.convkit.model.layers.Layers.flatten;
import static org.convkit.model.layers.Layers.globalMaxPool;
import static org.convkit.model.layers.Layers.linear;
import static org.convkit.model.layers.Layers.maxPool;
import static org.convkit.model.layers.Layers.relu;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.convkit.model.layers.Activations;
import org.convkit.model.layers.Concat;
import org.convkit.model.layers.Seq;
import org.convkit.model.layers.Traceable;

/**
 * What the self-check runs: the convolutions of the zoo, the other layers a network runs in its
 * layout, and BatchNorm folding. One table: a network that brings a new kind of convolution
 * (kernel, stride, groups) adds its row here ({@code EngineProbesTest} fails until it does).
 */
public final class Probes {
    private Probes() {}

    /**
     * Every kind of convolution in the zoo (kernel x stride, first layers on images with 1 and 3
     * channels, the ResNets' 1x1 convolutions at their real sizes, a convolution to fewer than 16
     * channels), forward and backward, in batch sizes 1 to 16. Sizes are the networks' own where
     * the float64 reference stays cheap.
     *
     * <p>Why these shapes: libtorch 2.7.1's oneDNN picks kernels and blockings by shape, and on a
     * CPU whose cache sizes it cannot read it got some shapes wrong and not others (docs/engine.md,
     * "Known failures"): channels-last 1x1 convolutions from 256 channels up were wrong or crashed
     * at 14x14 and below while the same kernels at 56x56 were right, and NCHW input gradients of
     * 3x3 and 5x5 convolutions to fewer than 16 channels were wrong while wider ones were right.
     * A shape the zoo runs that is missing here is a failure the check cannot see.
     */
    public static final List<BlockProbe> CONVOLUTIONS = List.of(
            convProbe(2, 3, 64, 224, 7, 2, 3, false, true, "resnet, googlenet stem 7x7/2"),
            convProbe(1, 3, 64, 224, 11, 4, 2, true, true, "alexnet stem 11x11/4"),
            convProbe(8, 1, 6, 28, 5, 1, 2, true, true, "lenet C1 5x5 on one channel"),
            convProbe(8, 6, 16, 14, 5, 1, 0, true, false, "lenet C3 5x5"),
            convProbe(1, 64, 192, 27, 5, 1, 2, true, false, "alexnet 5x5, googlenet-d2l 5x5 branch"),
            convProbe(8, 3, 64, 32, 3, 1, 1, false, true, "resnet cifar stem, vgg, simplecnn 3x3 on images"),
            convProbe(2, 64, 64, 56, 3, 1, 1, false, false, "resnet layer1 3x3"),
            convProbe(2, 128, 128, 56, 3, 2, 1, false, false, "resnet50 layer2 3x3/2"),
            convProbe(2, 512, 512, 7, 3, 1, 1, false, false, "resnet layer4 3x3"),
            convProbe(16, 128, 128, 8, 3, 1, 1, true, false, "resnet cifar, vgg late 3x3 at batch 16"),
            convProbe(2, 256, 64, 56, 1, 1, 0, false, false, "resnet50 bottleneck 1x1 reduce"),
            convProbe(2, 64, 256, 56, 1, 1, 0, false, false, "resnet50 bottleneck 1x1 expand"),
            convProbe(2, 256, 512, 56, 1, 2, 0, false, false, "resnet50 downsample 1x1/2"),
            convProbe(1, 64, 128, 56, 1, 2, 0, false, false, "resnet18 downsample 1x1/2"),
            convProbe(4, 1024, 256, 14, 1, 1, 0, false, false, "resnet50 layer3 1x1 reduce"),
            convProbe(2, 256, 512, 14, 1, 2, 0, false, false, "resnet18/34 layer4 downsample 1x1/2"),
            convProbe(2, 512, 1024, 28, 1, 2, 0, false, false, "resnet50 layer3 downsample 1x1/2"),
            convProbe(2, 2048, 512, 7, 1, 1, 0, false, false, "resnet50 layer4 1x1 reduce"),
            convProbe(2, 192, 64, 28, 1, 1, 0, true, false, "googlenet, nin 1x1"),
            convProbe(8, 384, 10, 5, 3, 1, 1, true, false, "nin's last block, 3x3 to the 10 classes"));

    /**
     * The other layers a network runs in its layout, training and evaluation mode: BatchNorm,
     * ReLU and sigmoid, max and average pooling (also padded, stride 1 and adaptive), a residual
     * add, an Inception-style concatenation along channels, flatten and a Linear.
     *
     * <p>In training the chain is split in two, because a gradient compared with float64 must be
     * defined where it is taken. ReLU has none at zero and max pooling none where two inputs of a
     * window tie; inside a chain their inputs are computed, so float32 rounding can put one on
     * the other side of such a point than float64 does, and the gradient then flows to another
     * element: a large error on a correct engine (seen on an AMD Zen 3, and in PyTorch's own float32:
     * docs/engine.md, bench/kinked_probe_torch.py). So the training chain has every layer but the
     * kinked ones (sigmoid and average pooling in their places, so BatchNorm's batch statistics,
     * the residual add and the concatenation are still checked backward), and ReLU and max
     * pooling are probed in training on
     * inputs that are all different and far from zero ({@link BlockProbe#withDistinctInput}), where
     * their backward pass is exact. In evaluation (forward only, where a tie changes nothing) the
     * chain is whole.
     */
    public static final List<BlockProbe> LAYERS = List.of(
            new BlockProbe("layers, training", "every family: BatchNorm on batch statistics, residual add, concat,"
                    + " average pooling, linear", Probes::smoothLayers, new Shape(4, 32, 28, 28), false, BlockProbe.Mode.TRAIN),
            new BlockProbe("relu and max pooling, training", "every family: ReLU, max pooling 3x3/2 padded, 3x3/1, 2x2/2",
                    Probes::kinkedLayers, new Shape(4, 48, 28, 28), false, BlockProbe.Mode.TRAIN).withDistinctInput(),
            // its own probe: after the other poolings it would leave them one gradient per channel
            new BlockProbe("global max pooling, training", "resnet9: global max pool", Probes::globalMaxPooling,
                    new Shape(4, 48, 7, 7), false, BlockProbe.Mode.TRAIN).withDistinctInput(),
            new BlockProbe("layers, evaluation", "every family: BatchNorm on running statistics",
                    Probes::layers, new Shape(4, 32, 28, 28), false, BlockProbe.Mode.EVAL));

    /** Evaluation with BatchNorm folded into convolutions (with and without bias, 7x7/2, 3x3, 1x1/2). */
    public static final List<BlockProbe> FOLDED = List.of(
            new BlockProbe("conv + BatchNorm chain, evaluation", "resnet, resnet9, vgg*_bn, googlenet, simplecnn",
                    Probes::folded, new Shape(2, 3, 64, 64), true, BlockProbe.Mode.EVAL));

    /**
     * The probes a layout must pass: for a layout training runs in, every convolution forward and
     * backward and the layers in both modes; for one used in evaluation only, the forward passes.
     */
    public static List<Probe> layout(boolean training) {
        return select(training, training);
    }

    /**
     * The probes bfloat16 must pass on a layout: its convolutions as {@link #layout} runs them, and
     * the layers in evaluation mode. Not the layers' training pass: its gradients flow back through
     * training-mode BatchNorm (dividing by batch statistics of a random network), which turns
     * bfloat16's 3e-3 rounding of the activations into 10-20% of a gradient (measured here on a
     * correct path; PyTorch's CPU autocast shows the same, see Bf16Test), so no relative tolerance
     * there tells a correct bf16 path from a broken one. What bfloat16 changes is each
     * convolution's arithmetic, forward and backward: probed one by one, where the error is bf16's
     * rounding alone.
     */
    public static List<Probe> bf16(boolean training) {
        return select(training, false);
    }

    private static List<Probe> select(boolean convolutionsBackward, boolean layersTraining) {
        List<Probe> all = new ArrayList<>();
        for (BlockProbe p : CONVOLUTIONS) {
            all.add(convolutionsBackward ? p : p.forwardOnly());
        }
        for (BlockProbe p : LAYERS) {
            if (layersTraining || p.mode() == BlockProbe.Mode.EVAL) {
                all.add(p);
            }
        }
        return List.copyOf(all);
    }

    private static BlockProbe convProbe(int n, int in, int out, int size, int k, int stride, int pad, boolean bias,
            boolean images, String usedBy) {
        String name = String.format(Locale.ROOT, "conv %dx%d%s %d->%d @%dx%d, batch %d", k, k,
                stride > 1 ? "/" + stride : "", in, out, size, size, n);
        return new BlockProbe(name, usedBy, () -> conv(out, k, stride, pad, bias), new Shape(n, in, size, size), images,
                BlockProbe.Mode.TRAIN);
    }

    private static Block layers() {
        return Seq.of(
                conv(48, 3, 1, 1, false), bn(), relu(),
                maxPool(3, 2, 1, false),
                new Residual(Seq.of(conv(48, 3, 1, 1, false), bn(), relu(), conv(48, 3, 1, 1, false), bn()), true),
                new Concat()
                        .add("a", Seq.of(conv(32, 1, 1, 0, true), relu()))
                        .add("b", Seq.of(maxPool(3, 1, 1, false), conv(16, 1, 1, 0, true), Activations.sigmoid())),
                avgPool(2, 2),
                new Concat().add("avg", adaptiveAvgPool(1, 1)).add("max", globalMaxPool()),
                flatten(), linear(10));
    }

    /** {@link #layers} without ReLU and max pooling: differentiable everywhere. */
    private static Block smoothLayers() {
        return Seq.of(
                conv(48, 3, 1, 1, false), bn(), Activations.sigmoid(),
                avgPool(2, 2),
                new Residual(Seq.of(conv(48, 3, 1, 1, false), bn(), Activations.sigmoid(), conv(48, 3, 1, 1, false), bn()), false),
                new Concat()
                        .add("a", Seq.of(conv(32, 1, 1, 0, true), Activations.sigmoid()))
                        .add("b", Seq.of(conv(16, 1, 1, 0, true), Activations.sigmoid())),
                avgPool(2, 2), adaptiveAvgPool(1, 1), flatten(), linear(10));
    }

    /**
     * ReLU and the zoo's max poolings on the probe's own input (nothing computed in between: a
     * pooling only selects, so with distinct inputs it selects alike in every precision; ties among
     * ReLU's zeros get no gradient either way).
     */
    private static Block kinkedLayers() {
        return Seq.of(relu(), maxPool(3, 2, 1, false), maxPool(3, 1, 1, false), maxPool(2, 2));
    }

    /** resnet9's pool, each channel's maximum over the whole map, on the probe's own input. */
    private static Block globalMaxPooling() {
        return Seq.of(globalMaxPool());
    }

    private static Block folded() {
        return Seq.of(
                conv(16, 7, 2, 3, false), bn(), relu(),
                conv(32, 3, 1, 1, true), bn(), relu(),
                new Residual(Seq.of(conv(32, 1, 1, 0, false), bn()), true),
                conv(64, 1, 2, 0, false), bn());
    }

    /**
     * relu(f(x) + x): the residual add of the ResNet blocks, for the probes (exported as ResNet's
     * is); f(x) + x alone where the probe must stay differentiable.
     */
    static final class Residual extends AbstractBlock implements Traceable {
        private final Block inner;
        final boolean relu; // read by EngineProbesTest: a ReLU of computed values

        Residual(Block inner, boolean relu) {
            this.inner = addChildBlock("inner", inner);
            this.relu = relu;
        }

        @Override
        protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training,
                PairList<String, Object> params) {
            NDArray y = inner.forward(ps, inputs, training).singletonOrThrow().add(inputs.singletonOrThrow());
            return new NDList(relu ? Activation.relu(y) : y);
        }

        @Override
        public <V> V trace(Traceable.Tracer<V> tracer, V input) {
            V sum = tracer.add(tracer.apply(inner, input), input);
            return relu ? tracer.relu(sum) : sum;
        }

        @Override
        protected void initializeChildBlocks(NDManager m, DataType t, Shape... in) {
            inner.initialize(m, t, in);
        }

        @Override
        public Shape[] getOutputShapes(Shape[] in) {
            return inner.getOutputShapes(in);
        }
    }
}
