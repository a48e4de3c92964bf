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
        }
    }

    /** Builds resnet{depth}: 18, 34 (BasicBlock) or 50, 101, 152 (Bottleneck). */
    public static ConvNet build(String name, int depth, ModelOptions o) {
        int[] blocks = switch (depth) {
            case 18 -> new int[] {2, 2, 2, 2};
            case 34, 50 -> new int[] {3, 4, 6, 3};
            case 101 -> new int[] {3, 4, 23, 3};
            case 152 -> new int[] {3, 8, 36, 3};
            default -> throw new IllegalArgumentException("no ResNet-" + depth);
        };
        o.requireOnly(name, "stem");
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

        return new ConvNet(
                name,
                o,
                backbone,
                classes -> linear(classes),
                TorchKeys.of("backbone.stem.", "", "backbone.", "", "head.0.", "fc."),
                new Init(Rule.KAIMING_NORMAL_FAN_OUT, Rule.TORCH_DEFAULT));
    }

    /**
     * A residual block: (conv, bn) pairs with ReLU between them, plus a shortcut, then ReLU.
     * BasicBlock has two 3x3 convs; Bottleneck reduces with 1x1, convolves 3x3, expands 1x1 x4.
     */
    static final class Residual extends AbstractBlock {
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
                // in an evaluation pass the pair may run as one folded conv (BatchNormFolding)
                NDList next = BatchNormFolding.forward(conv, bn, y, training);
                if (next == null) {
                    NDList convolved = conv.forward(ps, y, training);
                    next = bn.forward(ps, convolved, training);
                    Intermediates.release(convolved, next);
                }
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
            NDArray identity = downsample == null
                    ? inputs.singletonOrThrow()
                    : downsample.forward(ps, inputs, training).singletonOrThrow();
            NDArray sum = y.singletonOrThrow().add(identity);
            NDList out = new NDList(Activation.relu(sum));
            Intermediates.release(y, out);
            if (downsample != null) {
                Intermediates.release(identity, out);
            }
            Intermediates.release(sum, out);
            return out;
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
