package org.convkit.model;

import static org.convkit.model.layers.Layers.adaptiveAvgPool;
import static org.convkit.model.layers.Layers.bn;
import static org.convkit.model.layers.Layers.conv;
import static org.convkit.model.layers.Layers.flatten;
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
import org.convkit.core.ConvkitException;
import org.convkit.model.Init.Rule;
import org.convkit.model.layers.BatchNormFolding;
import org.convkit.model.layers.Intermediates;
import org.convkit.model.layers.Named;
import org.convkit.model.layers.Seq;
import org.convkit.model.layers.Shapes;
import org.convkit.model.layers.Traceable;

/**
 * ResNet (He et al., 2015) as torchvision builds it: BasicBlock for 18/34, Bottleneck for 50+,
 * stride on the 3x3 conv (the "v1.5" variant), a 1x1 conv + BN shortcut when the shape changes.
 * Parameter paths match torchvision's (and timm's) keys, so their weights load unchanged.
 *
 * <p>{@code stem=cifar} replaces the 7x7/2 conv + max-pool with a 3x3/1 conv, the usual choice for
 * 32x32 inputs: the ImageNet stem would leave a CIFAR image 1x1 by layer4.
 */
public final class ResNet {
    private ResNet() {}

    static void register(java.util.function.Consumer<Architecture> zoo) {
        ModelOptions imagenet = ModelOptions.defaults();
        for (int depth : new int[] {18, 34, 50, 101, 152}) {
            String name = "resnet" + depth;
            zoo.accept(new Architecture(name,
                    "ResNet-" + depth + " (torchvision; " + (depth >= 50 ? "Bottleneck" : "BasicBlock")
                            + "), --stem cifar for 32x32 inputs",
                    imagenet, o -> build(name, depth, o)));
        }        zoo.accept(new Architecture("resnet18-d2l",
                "d2l's ResNet-18 (biased convs, a biased 1x1 conv shortcut without BN)",
                ModelOptions.defaults().withClasses(10).withInput(1, 96, 96), ResNet::buildD2l));
    }

    /** Builds resnet{depth}: 18, 34 (BasicBlock) or 50, 101, 152 (Bottleneck). */
    public static ConvNet build(String name, int depth, ModelOptions o) {
        o.requireOnly(name, "stem");
        return new ConvNet(
                name,
                o,
                backbone(depth, o),
                classes -> linear(classes),
                TorchKeys.of("backbone.stem.", "", "backbone.", "", "head.0.", "fc."),
                INIT);
    }

    /** torchvision's initialization of its ResNets. */
    static final Init INIT = new Init(Rule.KAIMING_NORMAL_FAN_OUT, Rule.TORCH_DEFAULT);

    /**
     * torchvision's resnet{depth} without its {@code fc}: stages {@code stem}, {@code layer1} ...
     * {@code layer4}, {@code pool} (average pool and flatten), parameter paths as torchvision's
     * keys under {@code backbone.stem.} / {@code backbone.}.
     */
    static Backbone backbone(int depth, ModelOptions o) {
        int[] blocks = switch (depth) {
            case 18 -> new int[] {2, 2, 2, 2};
            case 34, 50 -> new int[] {3, 4, 6, 3};
            case 101 -> new int[] {3, 4, 23, 3};
            case 152 -> new int[] {3, 8, 36, 3};
            default -> throw new IllegalArgumentException("no ResNet-" + depth);
        };
        boolean bottleneck = depth >= 50;
        int expansion = bottleneck ? 4 : 1;
        String stem = o.stem() == null ? "imagenet" : o.stem();

        Backbone backbone = new Backbone();
        int inplanes = o.scaled(64);
        Named s = new Named();
        switch (stem) {
            case "imagenet" -> s.add("conv1", conv(inplanes, 7, 2, 3, false))
                    .add("bn1", bn()).add("relu", relu()).add("maxpool", maxPool(3, 2, 1, false));
            case "cifar" -> s.add("conv1", conv(inplanes, 3, 1, 1, false))
                    .add("bn1", bn()).add("relu", relu());
            default -> throw new ConvkitException("--stem " + stem + ": expected imagenet or cifar");
        }
        backbone.add("stem", s);
        int[] planes = {64, 128, 256, 512};
        for (int stage = 0; stage < 4; stage++) {
            int p = o.scaled(planes[stage]);
            int stride = stage == 0 ? 1 : 2;
            Seq layer = new Seq();
            for (int i = 0; i < blocks[stage]; i++) {
                int st = i == 0 ? stride : 1;
                boolean project = i == 0 && (st != 1 || inplanes != p * expansion);
                layer.add(bottleneck ? Residual.bottleneck(p, st, project) : Residual.basic(p, st, project));
                inplanes = p * expansion;
            }
            backbone.add("layer" + (stage + 1), layer);
        }
        backbone.add("pool", new Named().add("avgpool", adaptiveAvgPool(1, 1)).add("flatten", flatten()));
        return backbone;
    }

    /**
     * {@code resnet18-d2l}: ResNet-18 as d2l's chapter builds it, a different network from
     * torchvision's: every conv has a bias, and where a block changes the shape its shortcut is a
     * biased 1x1 conv with no BatchNorm ({@code Residual(input_channels, num_channels, use_1x1conv,
     * strides)}). {@code nn.Sequential(b1, b2, b3, b4, b5, AdaptiveAvgPool2d, Flatten, Linear)}:
     * b1 = 7x7/2 conv + BN + ReLU + 3x3/2 max-pool, b2 ... b5 two residuals each (b2 keeps the
     * shape). Stages {@code b1} ... {@code b5} and {@code pool}; keys are the Sequential's ({@code
     * 0.0.weight}, {@code 1.0.conv1.bias}, {@code 2.0.conv3.weight} ... {@code 7.weight}).
     */
    public static ConvNet buildD2l(ModelOptions o) {
        o.requireOnly("resnet18-d2l");
        int c = o.scaled(64);
        Backbone backbone = new Backbone()
                .add("b1", Seq.of(conv(c, 7, 2, 3), bn(), relu(), maxPool(3, 2, 1, false)));
        int[] channels = {64, 128, 256, 512};
        for (int stage = 0; stage < 4; stage++) {
            int out = o.scaled(channels[stage]);
            // d2l's resnet_block: the first residual of b3 ... b5 halves the size through a 1x1 conv
            boolean first = stage == 0;
            backbone.add("b" + (stage + 2), Seq.of(
                    new D2lResidual(out, !first, first ? 1 : 2),
                    new D2lResidual(out, false, 1)));
        }
        backbone.add("pool", new Named().add("avgpool", adaptiveAvgPool(1, 1)).add("flatten", flatten()));
        TorchKeys keys = TorchKeys.of("backbone.b1.", "0.", "backbone.b2.", "1.", "backbone.b3.", "2.",
                "backbone.b4.", "3.", "backbone.b5.", "4.", "head.0.", "7.");
        return new ConvNet("resnet18-d2l", o, backbone, classes -> linear(classes), keys,
                new Init(Rule.XAVIER_UNIFORM, Rule.XAVIER_UNIFORM));
    }

    /**
     * {@code bn(conv(x))}, as one folded conv in an evaluation pass that folded the pair ({@link
     * BatchNormFolding}); the conv's output is closed once used (see {@link Intermediates}).
     */
    private static NDList convBn(ParameterStore ps, Block conv, Block bn, NDList x, boolean training) {
        NDList y = BatchNormFolding.forward(conv, bn, x, training);
        if (y == null) {
            NDList convolved = conv.forward(ps, x, training);
            y = bn.forward(ps, convolved, training);
            Intermediates.release(convolved, y);
        }
        return y;
    }

    /**
     * The end of every residual block: {@code relu(y + shortcut(x))}, the shortcut {@code x} itself
     * when {@code shortcut} is null; {@code y}, the shortcut's output and the sum are closed once used.
     */
    private static NDList addShortcutRelu(ParameterStore ps, NDList y, Block shortcut, NDList x, boolean training) {
        NDArray identity = shortcut == null ? x.singletonOrThrow() : shortcut.forward(ps, x, training).singletonOrThrow();
        NDArray sum = y.singletonOrThrow().add(identity);
        NDList out = new NDList(Activation.relu(sum));
        Intermediates.release(y, out);
        if (shortcut != null) {
            Intermediates.release(identity, out);
        }
        Intermediates.release(sum, out);
        return out;
    }

    /**
     * d2l's {@code Residual}: {@code relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut)}, the
     * shortcut {@code conv3(x)} (a biased 1x1 conv, no BatchNorm) when {@code use_1x1conv}, else
     * {@code x}. Children in PyTorch's registration order (conv1, conv2, conv3, bn1, bn2), which is
     * the order of its state dict and of a positional import.
     */
    static final class D2lResidual extends AbstractBlock implements BatchNormFolding.Pairs, Traceable {
        private final Block conv1;
        private final Block conv2;
        private final Block conv3;
        private final Block bn1;
        private final Block bn2;

        D2lResidual(int channels, boolean use1x1conv, int stride) {
            conv1 = addChildBlock("conv1", conv(channels, 3, stride, 1));
            conv2 = addChildBlock("conv2", conv(channels, 3, 1, 1));
            conv3 = use1x1conv ? addChildBlock("conv3", conv(channels, 1, stride, 0)) : null;
            bn1 = addChildBlock("bn1", bn());
            bn2 = addChildBlock("bn2", bn());
        }

        @Override
        public List<Block[]> convBnPairs() {
            return List.of(new Block[] {conv1, bn1}, new Block[] {conv2, bn2});
        }

        /** The same computation as {@link #forwardInternal}, for exporters. */
        @Override
        public <V> V trace(Tracer<V> t, V x) {
            V y = t.relu(t.apply(bn1, t.apply(conv1, x)));
            y = t.apply(bn2, t.apply(conv2, y));
            V shortcut = conv3 == null ? x : t.apply(conv3, x);
            return t.relu(t.add(y, shortcut));
        }

        @Override
        protected NDList forwardInternal(
                ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
            NDList a = convBn(ps, conv1, bn1, inputs, training);
            NDList y = new NDList(Activation.relu(a.singletonOrThrow()));
            Intermediates.release(a, y);
            NDList b = convBn(ps, conv2, bn2, y, training);
            Intermediates.release(y, b);
            return addShortcutRelu(ps, b, conv3, inputs, training);
        }

        @Override
        public Shape[] getOutputShapes(Shape[] in) {
            Shape[] s = Shapes.outputOf(conv1, in, "Residual");
            s = Shapes.outputOf(bn1, s, "Residual");
            s = Shapes.outputOf(conv2, s, "Residual");
            return Shapes.outputOf(bn2, s, "Residual");
        }

        @Override
        protected void initializeChildBlocks(NDManager m, DataType t, Shape... in) {
            conv1.initialize(m, t, in);
            Shape[] s = conv1.getOutputShapes(in);
            bn1.initialize(m, t, s);
            conv2.initialize(m, t, s);
            bn2.initialize(m, t, conv2.getOutputShapes(s));
            if (conv3 != null) {
                conv3.initialize(m, t, in);
            }
        }

        @Override
        public String toString() {
            return "Residual";
        }
    }

    /**
     * A residual block: (conv, bn) pairs with ReLU between them, plus a shortcut, then ReLU.
     * BasicBlock has two 3x3 convs; Bottleneck reduces with 1x1, convolves 3x3, expands 1x1 x4.
     */
    static final class Residual extends AbstractBlock implements Traceable {
        private final String kind;
        private final List<Block> layers = new ArrayList<>(); // conv1, bn1, conv2, bn2 [, conv3, bn3]
        private final Block downsample;

        private Residual(String kind, int[][] convs, int stride3x3At, int stride, boolean project, int out) {
            this.kind = kind;
            for (int i = 0; i < convs.length; i++) {
                int k = convs[i][1];
                int s = i == stride3x3At ? stride : 1;
                layers.add(addChildBlock("conv" + (i + 1), conv(convs[i][0], k, s, k / 2, false)));
                layers.add(addChildBlock("bn" + (i + 1), bn()));
            }
            // torchvision: nn.Sequential(conv1x1(stride), BatchNorm2d) -> keys downsample.0 / .1
            downsample = project ? addChildBlock("downsample", Seq.of(conv(out, 1, stride, 0, false), bn())) : null;
        }

        static Residual basic(int planes, int stride, boolean project) {
            return new Residual("BasicBlock", new int[][] {{planes, 3}, {planes, 3}}, 0, stride, project, planes);
        }

        static Residual bottleneck(int planes, int stride, boolean project) {
            return new Residual("Bottleneck",
                    new int[][] {{planes, 1}, {planes, 3}, {planes * 4, 1}}, 1, stride, project, planes * 4);
        }

        @Override
        protected NDList forwardInternal(
                ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
            // each intermediate is closed once used (see Intermediates): DJL would keep them all
            // until the batch ends
            NDList y = inputs;
            for (int i = 0; i < layers.size(); i += 2) {
                Block conv = layers.get(i);
                Block bn = layers.get(i + 1);
                NDList next = convBn(ps, conv, bn, y, training);
                if (i + 2 < layers.size()) {
                    NDList activated = new NDList(Activation.relu(next.singletonOrThrow()));
                    Intermediates.release(next, activated);
                    next = activated;
                }
                if (y != inputs) {
                    Intermediates.release(y, next);
                }
                y = next;
            }
            return addShortcutRelu(ps, y, downsample, inputs, training);
        }

        /** The same computation as {@link #forwardInternal}, for exporters: relu(convs(x) + shortcut(x)). */
        @Override
        public <V> V trace(Tracer<V> t, V x) {
            V y = x;
            for (int i = 0; i < layers.size(); i += 2) {
                y = t.apply(layers.get(i + 1), t.apply(layers.get(i), y));
                if (i + 2 < layers.size()) {
                    y = t.relu(y);
                }
            }
            V identity = downsample == null ? x : t.apply(downsample, x);
            return t.relu(t.add(y, identity));
        }

        @Override
        public Shape[] getOutputShapes(Shape[] in) {
            Shape[] s = in;
            for (Block b : layers) {
                s = Shapes.outputOf(b, s, kind);
            }
            return s;
        }

        @Override
        protected void initializeChildBlocks(NDManager m, DataType t, Shape... in) {
            Shape[] s = in;
            for (Block b : layers) {
                b.initialize(m, t, s);
                s = b.getOutputShapes(s);
            }
            if (downsample != null) {
                downsample.initialize(m, t, in);
            }
        }

        @Override
        public String toString() {
            return kind;
        }
    }
}
