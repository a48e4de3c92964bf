package org.convkit.model;

import static org.convkit.model.layers.Layers.avgPool;
import static org.convkit.model.layers.Layers.bn;
import static org.convkit.model.layers.Layers.conv;
import static org.convkit.model.layers.Layers.flatten;
import static org.convkit.model.layers.Layers.linear;

import ai.djl.nn.Block;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.convkit.model.Init.Rule;
import org.convkit.model.layers.Activations;
import org.convkit.model.layers.Seq;

/**
 * LeNet-5 (LeCun et al., 1998) as d2l builds it: two 5x5 convolutions with 2x2 average pooling,
 * then 120- and 84-unit fully-connected layers, sigmoid activations throughout ({@code
 * --activation relu} for the modern variant). Made for 28x28 gray digits.
 *
 * <p>Parameter paths map to the keys of d2l's {@code nn.Sequential} ({@code net.0.weight} ...
 * {@code net.11.weight}).
 */
public final class LeNet {
    private LeNet() {}

    static void register(Consumer<Architecture> zoo) {
        zoo.accept(new Architecture("lenet",
                "LeNet-5 as in d2l (sigmoid, average pooling); --activation relu",
                ModelOptions.defaults().withClasses(10).withInput(1, 28, 28), LeNet::build));
        zoo.accept(new Architecture("lenet-bn",
                "d2l's LeNet with batch normalization (BatchNorm2d/1d after convs and hidden Linears, no padding)",
                ModelOptions.defaults().withClasses(10).withInput(1, 28, 28), LeNet::buildBatchNorm));
    }

    public static ConvNet build(ModelOptions o) {
        o.requireOnly("lenet", "activation");
        String activation = o.activation() == null ? "sigmoid" : o.activation();
        Supplier<Block> act = () -> Activations.byName(activation);
        Backbone backbone = new Backbone()
                .add("features", Seq.of(
                        conv(o.scaled(6), 5, 1, 2), act.get(), avgPool(2, 2), // C1, S2
                        conv(o.scaled(16), 5, 1, 0), act.get(), avgPool(2, 2))) // C3, S4
                .add("flatten", flatten())
                .add("pre_logits", Seq.of(linear(o.scaled(120)), act.get(), linear(o.scaled(84)), act.get()));
        // d2l's net: features = net.0-5, flatten = net.6, pre_logits = net.7-10, head = net.11
        TorchKeys keys = TorchKeys.of(
                "backbone.features.", "net.",
                "backbone.pre_logits.0.", "net.7.",
                "backbone.pre_logits.2.", "net.9.",
                "head.0.", "net.11.");
        return new ConvNet("lenet", o, backbone, classes -> linear(classes), keys,
                new Init(Rule.XAVIER_UNIFORM, Rule.XAVIER_UNIFORM));
    }

    /**
     * {@code lenet-bn}: d2l's LeNet with batch normalization (the chapter's concise version),
     * one {@code nn.Sequential}: Conv2d(6, 5) BatchNorm2d Sigmoid AvgPool, Conv2d(16, 5)
     * BatchNorm2d Sigmoid AvgPool, Flatten, Linear(120) BatchNorm1d Sigmoid, Linear(84) BatchNorm1d
     * Sigmoid, Linear(classes). Unlike {@code lenet}, the first conv has no padding, so a 28x28
     * input leaves 16x4x4 and the first Linear is 256 -> 120. Keys are the Sequential's indices
     * ({@code 0.weight}, {@code 1.running_mean} ... {@code 15.weight}).
     */
    public static ConvNet buildBatchNorm(ModelOptions o) {
        o.requireOnly("lenet-bn", "activation");
        String activation = o.activation() == null ? "sigmoid" : o.activation();
        Supplier<Block> act = () -> Activations.byName(activation);
        Backbone backbone = new Backbone()
                .add("features", Seq.of(
                        conv(o.scaled(6), 5, 1, 0), bn(), act.get(), avgPool(2, 2),
                        conv(o.scaled(16), 5, 1, 0), bn(), act.get(), avgPool(2, 2)))
                .add("flatten", flatten())
                // BatchNorm after a Linear sees (N, C): torch's BatchNorm1d, the same block as BatchNorm2d
                .add("pre_logits", Seq.of(linear(o.scaled(120)), bn(), act.get(), linear(o.scaled(84)), bn(), act.get()));
        // the Sequential: features = 0-7, flatten = 8, pre_logits = 9-14, head = 15
        TorchKeys keys = TorchKeys.of(
                "backbone.features.", "",
                "backbone.pre_logits.0.", "9.",
                "backbone.pre_logits.1.", "10.",
                "backbone.pre_logits.3.", "12.",
                "backbone.pre_logits.4.", "13.",
                "head.0.", "15.");
        return new ConvNet("lenet-bn", o, backbone, classes -> linear(classes), keys,
                new Init(Rule.XAVIER_UNIFORM, Rule.XAVIER_UNIFORM));
    }
}
