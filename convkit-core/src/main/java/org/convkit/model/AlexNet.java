package org.convkit.model;

import static org.convkit.model.layers.Layers.adaptiveAvgPool;
import static org.convkit.model.layers.Layers.conv;
import static org.convkit.model.layers.Layers.dropout;
import static org.convkit.model.layers.Layers.flatten;
import static org.convkit.model.layers.Layers.linear;
import static org.convkit.model.layers.Layers.maxPool;
import static org.convkit.model.layers.Layers.relu;

import java.util.function.Consumer;
import org.convkit.model.Init.Rule;
import org.convkit.model.layers.Named;
import org.convkit.model.layers.Seq;

/**
 * AlexNet (Krizhevsky et al., 2012) in two published forms.
 *
 * <ul>
 *   <li>{@code alexnet}: torchvision's (the one-GPU variant of "One weird trick": 64-192-384-256-256
 *       filters), {@code features} then a 6x6 adaptive average pool, so any input of at least
 *       63x63 ends in a 9216-wide vector; {@code classifier} = Dropout, Linear, ReLU, Dropout,
 *       Linear, ReLU, Linear. Paths map to torchvision's keys.
 *   <li>{@code alexnet-d2l}: d2l's for 1-channel 224x224 images (96-256-384-384-256 filters, no
 *       adaptive pool: the first Linear infers its 6400-wide input), Linear-ReLU-Dropout order.
 *       Paths map to d2l's {@code net.N} keys.
 * </ul>
 *
 * Backbone stages: {@code features}, {@code pool} / {@code flatten}, {@code pre_logits} (the
 * hidden fully-connected layers); the head is the last Linear.
 */
public final class AlexNet {
    private AlexNet() {}

    static void register(Consumer<Architecture> zoo) {
        zoo.accept(new Architecture("alexnet",
                "AlexNet (torchvision: features, adaptive 6x6 avg-pool, classifier)",
                ModelOptions.defaults(), AlexNet::torchvision));
        zoo.accept(new Architecture("alexnet-d2l",
                "AlexNet as in d2l (1-channel 224x224, first Linear 6400 wide)",
                ModelOptions.defaults().withClasses(10).withInput(1, 224, 224), AlexNet::d2l));
    }

    public static ConvNet torchvision(ModelOptions o) {
        o.requireOnly("alexnet", "dropout");
        double p = o.dropoutOr(0.5);
        Backbone backbone = new Backbone()
                .add("features", features(o, 2, 64, 192, 384, 256, 256))
                .add("pool", new Named().add("avgpool", adaptiveAvgPool(6, 6)).add("flatten", flatten()))
                .add("pre_logits", Seq.of(
                        dropout(p), linear(o.scaled(4096)), relu(),
                        dropout(p), linear(o.scaled(4096)), relu()));
        TorchKeys keys = TorchKeys.of(
                "backbone.features.", "features.",
                "backbone.pre_logits.", "classifier.",
                "head.0.", "classifier.6.");
        return new ConvNet("alexnet", o, backbone, classes -> linear(classes), keys, Init.torchDefault());
    }

    public static ConvNet d2l(ModelOptions o) {
        o.requireOnly("alexnet-d2l", "dropout");
        double p = o.dropoutOr(0.5);
        Backbone backbone = new Backbone()
                .add("features", features(o, 1, 96, 256, 384, 384, 256))
                .add("flatten", flatten())
                .add("pre_logits", Seq.of(
                        linear(o.scaled(4096)), relu(), dropout(p),
                        linear(o.scaled(4096)), relu(), dropout(p)));
        // d2l's net: features = net.0-12, flatten = net.13, pre_logits = net.14-19, head = net.20
        TorchKeys keys = TorchKeys.of(
                "backbone.features.", "net.",
                "backbone.pre_logits.0.", "net.14.",
                "backbone.pre_logits.3.", "net.17.",
                "head.0.", "net.20.");
        return new ConvNet("alexnet-d2l", o, backbone, classes -> linear(classes), keys,
                new Init(Rule.XAVIER_UNIFORM, Rule.XAVIER_UNIFORM));
    }

    /**
     * AlexNet's five convolutions, each followed by a ReLU, with a 3x3/2 max-pool after the first,
     * the second and the fifth: conv 11x11/4 (padding {@code stemPadding}), 5x5 (padding 2), then
     * three 3x3 (padding 1). The two published forms differ only in the widths and the first
     * convolution's padding; the layer positions (features.0 ... features.12) are the same in both.
     */
    private static Seq features(ModelOptions o, int stemPadding, int c1, int c2, int c3, int c4, int c5) {
        return Seq.of(
                conv(o.scaled(c1), 11, 4, stemPadding), relu(), maxPool(3, 2),
                conv(o.scaled(c2), 5, 1, 2), relu(), maxPool(3, 2),
                conv(o.scaled(c3), 3, 1, 1), relu(),
                conv(o.scaled(c4), 3, 1, 1), relu(),
                conv(o.scaled(c5), 3, 1, 1), relu(), maxPool(3, 2));
    }
}
