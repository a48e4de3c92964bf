package org.convkit.model;

import static org.convkit.model.layers.Layers.adaptiveAvgPool;
import static org.convkit.model.layers.Layers.bn;
import static org.convkit.model.layers.Layers.conv;
import static org.convkit.model.layers.Layers.dropout;
import static org.convkit.model.layers.Layers.flatten;
import static org.convkit.model.layers.Layers.linear;
import static org.convkit.model.layers.Layers.maxPool;
import static org.convkit.model.layers.Layers.relu;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import org.convkit.core.ConvkitException;
import org.convkit.model.Init.Rule;
import org.convkit.model.layers.Named;
import org.convkit.model.layers.Seq;

/**
 * VGG (Simonyan and Zisserman, 2014): stages of 3x3 convolutions, each stage closed by a 2x2
 * max-pool, then three fully-connected layers.
 *
 * <ul>
 *   <li>{@code vgg11} {@code vgg13} {@code vgg16} {@code vgg19} and {@code _bn} variants:
 *       torchvision's layout and initialization. {@code features} is one Sequential (conv, [BN],
 *       ReLU ... max-pool) whose indices equal torchvision's, a 7x7 adaptive average pool, and the
 *       classifier Linear-ReLU-Dropout x2 + Linear; paths map to torchvision's keys.
 *   <li>{@code vgg}: d2l's VGG with any conv architecture, {@code --arch 1x64,1x128,2x256,2x512,2x512}
 *       (stages of N convs with C channels, d2l's conv_arch, which is VGG-11's): no adaptive pool,
 *       the first Linear infers its input. Same layout and keys otherwise.
 * </ul>
 *
 * Backbone stages: {@code features}, {@code pool} / {@code flatten}, {@code pre_logits}; the head
 * is the last Linear.
 */
public final class Vgg {
    private Vgg() {}

    /** d2l's conv_arch, which is also torchvision's configuration "A" (VGG-11). */
    static final String D2L_ARCH = "1x64,1x128,2x256,2x512,2x512";

    static void register(Consumer<Architecture> zoo) {
        String[][] depths = {
            {"11", D2L_ARCH}, {"13", "2x64,2x128,2x256,2x512,2x512"},
            {"16", "2x64,2x128,3x256,3x512,3x512"}, {"19", "2x64,2x128,4x256,4x512,4x512"}};
        for (String[] d : depths) {
            for (boolean batchNorm : new boolean[] {false, true}) {
                String name = "vgg" + d[0] + (batchNorm ? "_bn" : "");
                zoo.accept(new Architecture(name,
                        "VGG-" + d[0] + (batchNorm ? " with BatchNorm" : "") + " (torchvision)",
                        ModelOptions.defaults(), o -> torchvision(name, parse(d[1]), batchNorm, o)));
            }
        }
        zoo.accept(new Architecture("vgg",
                "VGG as in d2l, any conv stages: --arch " + D2L_ARCH + " (the default)",
                ModelOptions.defaults().withClasses(10).withInput(1, 224, 224), Vgg::d2l));
    }

    /** One VGG stage: {@code convs} 3x3 convolutions of {@code channels} filters, then a max-pool. */
    public record Stage(int convs, int channels) {}

    /** Parses "1x64,1x128,2x256" (convs x channels per stage). */
    public static List<Stage> parse(String arch) {
        List<Stage> stages = new ArrayList<>();
        try {
            for (String s : arch.split(",", -1)) {
                String[] nc = s.trim().toLowerCase(Locale.ROOT).split("x");
                if (nc.length != 2) {
                    throw new NumberFormatException();
                }
                Stage st = new Stage(Integer.parseInt(nc[0].trim()), Integer.parseInt(nc[1].trim()));
                if (st.convs() < 1 || st.channels() < 1) {
                    throw new NumberFormatException();
                }
                stages.add(st);
            }
        } catch (NumberFormatException e) {
            throw new ConvkitException("--arch " + arch + ": expected stages NxC separated by commas, e.g. "
                    + D2L_ARCH + " (N convolutions of C channels, then a 2x2 max-pool)");
        }
        return stages;
    }

    /** torchvision's make_layers: conv3x3(pad 1) [+ BN] + ReLU per conv, a 2x2 max-pool per stage. */
    static Seq features(List<Stage> arch, boolean batchNorm, ModelOptions o) {
        Seq features = new Seq();
        for (Stage s : arch) {
            for (int i = 0; i < s.convs(); i++) {
                features.add(conv(o.scaled(s.channels()), 3, 1, 1));
                if (batchNorm) {
                    features.add(bn());
                }
                features.add(relu());
            }
            features.add(maxPool(2, 2));
        }
        return features;
    }

    /** The hidden part of the classifier: (Linear 4096, ReLU, Dropout) x 2, torchvision's indices 0-5. */
    static Seq preLogits(ModelOptions o) {
        double p = o.dropoutOr(0.5);
        return Seq.of(linear(o.scaled(4096)), relu(), dropout(p), linear(o.scaled(4096)), relu(), dropout(p));
    }

    static final TorchKeys TORCHVISION_KEYS = TorchKeys.of(
            "backbone.features.", "features.",
            "backbone.pre_logits.", "classifier.",
            "head.0.", "classifier.6.");

    public static ConvNet torchvision(String name, List<Stage> arch, boolean batchNorm, ModelOptions o) {
        o.requireOnly(name, "dropout");
        Backbone backbone = new Backbone()
                .add("features", features(arch, batchNorm, o))
                .add("pool", new Named().add("avgpool", adaptiveAvgPool(7, 7)).add("flatten", flatten()))
                .add("pre_logits", preLogits(o));
        return new ConvNet(name, o, backbone, classes -> linear(classes), TORCHVISION_KEYS,
                new Init(Rule.KAIMING_NORMAL_FAN_OUT, Rule.NORMAL_001));
    }

    public static ConvNet d2l(ModelOptions o) {
        o.requireOnly("vgg", "dropout", "arch");
        Backbone backbone = new Backbone()
                .add("features", features(parse(o.arch() == null ? D2L_ARCH : o.arch()), false, o))
                .add("flatten", flatten())
                .add("pre_logits", preLogits(o));
        return new ConvNet("vgg", o, backbone, classes -> linear(classes), TORCHVISION_KEYS,
                new Init(Rule.XAVIER_UNIFORM, Rule.XAVIER_UNIFORM));
    }
}
