package org.convkit.model;

import static org.convkit.model.layers.Layers.adaptiveAvgPool;
import static org.convkit.model.layers.Layers.conv;
import static org.convkit.model.layers.Layers.dropout;
import static org.convkit.model.layers.Layers.flatten;
import static org.convkit.model.layers.Layers.maxPool;
import static org.convkit.model.layers.Layers.relu;

import java.util.function.Consumer;
import org.convkit.model.Init.Rule;
import org.convkit.model.layers.Named;
import org.convkit.model.layers.Seq;

/**
 * Network in Network (Lin et al., 2013) as d2l builds it: NiN blocks (a conv followed by two 1x1
 * convs, each with ReLU) and 3x3/2 max-pools, no fully-connected layer at all.
 *
 * <p>The classifier is itself a NiN block with one channel per class, averaged over the whole map.
 * So the head here is {@code block} (NiN block with {@code classes} channels) + {@code avgpool} +
 * {@code flatten}: replacing the head or adding K heads builds that, and the backbone ends in a
 * 384-channel feature map rather than a vector.
 *
 * <p>Backbone stages {@code nin1 nin2 nin3} (block + max-pool) and {@code dropout}; paths map to
 * d2l's keys ({@code net.0.0.weight} ... the head's {@code net.7.4.weight}).
 */
public final class NiN {
    private NiN() {}

    static void register(Consumer<Architecture> zoo) {
        zoo.accept(new Architecture("nin",
                "Network in Network as in d2l (NiN blocks, global-average-pooled NiN head)",
                ModelOptions.defaults().withClasses(10).withInput(1, 224, 224), NiN::build));
    }

    /** d2l's nin_block: conv(k, s, p) + ReLU, then two 1x1 conv + ReLU (Sequential 0-5). */
    static Seq block(int channels, int kernel, int stride, int padding) {
        return Seq.of(conv(channels, kernel, stride, padding), relu(),
                conv(channels, 1, 1, 0), relu(), conv(channels, 1, 1, 0), relu());
    }

    public static ConvNet build(ModelOptions o) {
        o.requireOnly("nin", "dropout");
        Backbone backbone = new Backbone()
                .add("nin1", new Named().add("block", block(o.scaled(96), 11, 4, 0)).add("pool", maxPool(3, 2)))
                .add("nin2", new Named().add("block", block(o.scaled(256), 5, 1, 2)).add("pool", maxPool(3, 2)))
                .add("nin3", new Named().add("block", block(o.scaled(384), 3, 1, 1)).add("pool", maxPool(3, 2)))
                .add("dropout", dropout(o.dropoutOr(0.5)));
        // d2l's net: nin_block = net.0, 2, 4; pools = net.1, 3, 5; dropout = net.6; classifier = net.7
        TorchKeys keys = TorchKeys.of(
                "backbone.nin1.block.", "net.0.",
                "backbone.nin2.block.", "net.2.",
                "backbone.nin3.block.", "net.4.",
                "head.0.block.", "net.7.");
        return new ConvNet("nin", o, backbone, NiN::head, keys, new Init(Rule.XAVIER_UNIFORM, Rule.XAVIER_UNIFORM));
    }

    /** One classifier: a NiN block with a channel per class, global average pool, flatten. */
    static Named head(int classes) {
        return new Named()
                .add("block", block(classes, 3, 1, 1))
                .add("avgpool", adaptiveAvgPool(1, 1))
                .add("flatten", flatten());
    }
}
