package org.convkit.model;

import static org.convkit.model.layers.Layers.adaptiveAvgPool;
import static org.convkit.model.layers.Layers.bn;
import static org.convkit.model.layers.Layers.conv;
import static org.convkit.model.layers.Layers.flatten;
import static org.convkit.model.layers.Layers.globalMaxPool;
import static org.convkit.model.layers.Layers.linear;
import static org.convkit.model.layers.Layers.maxPool;
import static org.convkit.model.layers.Layers.relu;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.function.Consumer;
import org.convkit.core.ConvkitException;
import org.convkit.model.layers.Concat;
import org.convkit.model.layers.Intermediates;
import org.convkit.model.layers.Named;
import org.convkit.model.layers.Seq;
import org.convkit.model.layers.Traceable;

/**
 * The ResNet-9 of Myrtle.ai's DAWNBench CIFAR-10 entry (David Page, "How to train your ResNet",
 * 2018): {@code conv_bn} = 3x3 conv (padding 1, no bias), BatchNorm, ReLU;
 *
 * <pre>
 * prep    conv_bn(3, 64)
 * layer1  conv_bn(64, 128), MaxPool2d(2)      res1  x + (conv_bn(128, 128), conv_bn(128, 128))(x)
 * layer2  conv_bn(128, 256), MaxPool2d(2)
 * layer3  conv_bn(256, 512), MaxPool2d(2)     res3  x + (conv_bn(512, 512), conv_bn(512, 512))(x)
 * pool    global max pool, flatten            fc    Linear(512, classes)
 * </pre>
 *
 * 6,573,130 parameters at 10 classes, the 6.5M Page published. No ReLU after a residual sum, as in
 * Page's network. Page pools with MaxPool2d(4), which at his 32 px is the global max pool built
 * here; this one also pools a map of any other size (or shape) to 1x1, so the network runs at any
 * input like the zoo's other families. Page multiplies the logits by 0.125 before the loss; that
 * scale is left out here (it is not a layer but part of his training recipe: a temperature on the
 * loss, which a recipe can bring back through its learning rate or label smoothing).
 *
 * <p>{@code --width} scales every channel count. {@code --stem cifar} (the default) runs the prep
 * conv at stride 1, Page's network; {@code --stem stride2} runs it at stride 2, so the rest of the
 * network sees half the input size: meant for photos of 64 px and more, where it costs about a
 * quarter of the compute. {@code --pool max} (the default) is Page's global max pool; {@code --pool
 * concat} puts the global max and the global average side by side ({@code torch.cat([max, avg],
 * 1)}, fastai's {@code AdaptiveConcatPool2d}), so the Linear sees twice the features: the average
 * keeps how much of the image shows a pattern, which the max alone drops. Backbone stages {@code
 * prep layer1 res1 layer2 layer3 res3 pool}; paths map to the keys of the reference PyTorch module
 * ({@code src/test/python/torch_weights.py}, class {@code ResNet9}): {@code prep.0.weight}, {@code
 * layer1.1.running_mean}, {@code res1.0.1.weight}, {@code fc.weight}.
 */
public final class ResNet9 {
    private ResNet9() {}

    static final String NAME = "resnet9";

    static void register(Consumer<Architecture> zoo) {
        zoo.accept(new Architecture(NAME,
                "ResNet-9 of Page's DAWNBench CIFAR-10 entry (6.6M params); --stem cifar|stride2, --pool max|concat, --width",
                ModelOptions.defaults().withClasses(10).withInput(3, 32, 32), ResNet9::build));
    }

    public static ConvNet build(ModelOptions o) {
        o.requireOnly(NAME, "stem", "pool");
        String stem = o.stem() == null ? "cifar" : o.stem();
        int prepStride = switch (stem) {
            case "cifar" -> 1;
            case "stride2" -> 2;
            default -> throw new ConvkitException("--stem " + stem + ": " + NAME
                    + " takes cifar (the prep conv at stride 1, Page's network) or stride2 (at stride 2, for photos of 64 px and more)");
        };
        String poolKind = o.pool() == null ? "max" : o.pool();
        Block pool = switch (poolKind) {
            case "max" -> globalMaxPool();
            case "concat" -> new Concat().add("max", globalMaxPool()).add("avg", adaptiveAvgPool(1, 1));
            default -> throw new ConvkitException("--pool " + o.pool() + ": " + NAME
                    + " takes max (the global max pool, Page's network) or concat (max and average side by side)");
        };
        int c64 = o.scaled(64);
        int c128 = o.scaled(128);
        int c256 = o.scaled(256);
        int c512 = o.scaled(512);
        Backbone backbone = new Backbone()
                .add("prep", convBn(c64, prepStride))
                .add("layer1", convBn(c128, 1).add(maxPool(2, 2)))
                .add("res1", new Residual(convBn(c128, 1), convBn(c128, 1)))
                .add("layer2", convBn(c256, 1).add(maxPool(2, 2)))
                .add("layer3", convBn(c512, 1).add(maxPool(2, 2)))
                .add("res3", new Residual(convBn(c512, 1), convBn(c512, 1)))
                .add("pool", new Named().add(poolKind + "pool", pool).add("flatten", flatten()));
        TorchKeys keys = TorchKeys.of("backbone.", "", "head.0.", "fc.");
        return new ConvNet(NAME, o, backbone, classes -> linear(classes), keys, Init.torchDefault());
    }

    /** Page's conv_bn, {@code nn.Sequential(Conv2d(3x3, padding 1, no bias), BatchNorm2d, ReLU)}. */
    private static Seq convBn(int out, int stride) {
        return Seq.of(conv(out, 3, stride, 1, false), bn(), relu());
    }

    /**
     * Page's {@code Residual}: {@code x + body(x)}, the body an {@code nn.Sequential} of conv_bn
     * blocks (keys {@code res1.0.0.weight}, {@code res1.1.1.running_var}), no ReLU after the sum.
     * Each conv and its BatchNorm are neighbours inside a conv_bn, so BatchNorm folding finds them
     * without {@link org.convkit.model.layers.BatchNormFolding.Pairs}.
     */
    static final class Residual extends Seq implements Traceable {
        Residual(Block... body) {
            addAll(body);
        }

        @Override
        protected NDList forwardInternal(
                ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
            NDList y = super.forwardInternal(ps, inputs, training, params);
            NDArray sum = inputs.singletonOrThrow().add(y.singletonOrThrow());
            NDList out = new NDList(sum);
            Intermediates.release(y, out); // see Intermediates: the body's output is not needed again
            return out;
        }

        /** The same computation as {@link #forwardInternal}, for exporters. */
        @Override
        public <V> V trace(Tracer<V> t, V x) {
            V y = x;
            for (Block b : getChildren().values()) {
                y = t.apply(b, y);
            }
            return t.add(x, y);
        }

        @Override
        public String toString() {
            return "Residual";
        }
    }
}
