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
import java.util.function.Consumer;
import org.convkit.model.Init.Rule;
import org.convkit.model.layers.Concat;
import org.convkit.model.layers.Named;
import org.convkit.model.layers.Seq;

/**
 * GoogLeNet / Inception v1 (Szegedy et al., 2014) in two published forms.
 *
 * <ul>
 *   <li>{@code googlenet}: torchvision's, without the auxiliary classifiers. Every conv is a
 *       BasicConv2d (conv without bias, BatchNorm eps 0.001, ReLU), max-pools use ceil mode, and
 *       the "5x5" branch uses a 3x3 conv — torchvision's known deviation from the paper, kept so
 *       its weights load. transform_input is off (torchvision turns it on only for its own
 *       pretrained weights). Backbone stages: {@code stem} (conv1 ... maxpool2), {@code
 *       inception3} (3a, 3b, maxpool3), {@code inception4} (4a-4e, maxpool4), {@code inception5}
 *       (5a, 5b), {@code pool} (avgpool, flatten, dropout 0.2); head = fc. Paths map to
 *       torchvision's keys.
 *   <li>{@code googlenet-d2l}: d2l's for 1-channel 96x96 images, plain convs with bias, no
 *       BatchNorm, a real 5x5 branch, padded (floor-mode) max-pools. Stages {@code b1} ... {@code
 *       b5} as d2l names them; paths map to d2l's keys ({@code net.2.0.b2_1.weight}).
 * </ul>
 */
public final class GoogLeNet {
    private GoogLeNet() {}

    /**
     * The nine Inception modules: name, 1x1, 3x3 reduce, 3x3, 5x5 reduce, 5x5, pool projection
     * (the paper's Table 1; d2l and torchvision use the same numbers).
     */
    private static final Object[][] INCEPTIONS = {
        {"3a", 64, 96, 128, 16, 32, 32}, {"3b", 128, 128, 192, 32, 96, 64},
        {"4a", 192, 96, 208, 16, 48, 64}, {"4b", 160, 112, 224, 24, 64, 64},
        {"4c", 128, 128, 256, 24, 64, 64}, {"4d", 112, 144, 288, 32, 64, 64},
        {"4e", 256, 160, 320, 32, 128, 128},
        {"5a", 256, 160, 320, 32, 128, 128}, {"5b", 384, 192, 384, 48, 128, 128}};

    static void register(Consumer<Architecture> zoo) {
        zoo.accept(new Architecture("googlenet",
                "GoogLeNet / Inception v1 (torchvision: BN, no aux heads)",
                ModelOptions.defaults(), GoogLeNet::torchvision));
        zoo.accept(new Architecture("googlenet-d2l",
                "GoogLeNet as in d2l (1-channel 96x96, no BN)",
                ModelOptions.defaults().withClasses(10).withInput(1, 96, 96), GoogLeNet::d2l));
    }

    // ---- torchvision ------------------------------------------------------------------------

    public static ConvNet torchvision(ModelOptions o) {
        o.requireOnly("googlenet", "dropout");
        Backbone backbone = new Backbone()
                .add("stem", new Named()
                        .add("conv1", basicConv2d(o.scaled(64), 7, 2, 3))
                        .add("maxpool1", maxPool(3, 2, 0, true))
                        .add("conv2", basicConv2d(o.scaled(64), 1, 1, 0))
                        .add("conv3", basicConv2d(o.scaled(192), 3, 1, 1))
                        .add("maxpool2", maxPool(3, 2, 0, true)))
                .add("inception3", inceptions(o, 0, 2).add("maxpool3", maxPool(3, 2, 0, true)))
                .add("inception4", inceptions(o, 2, 7).add("maxpool4", maxPool(2, 2, 0, true)))
                .add("inception5", inceptions(o, 7, 9))
                .add("pool", new Named()
                        .add("avgpool", adaptiveAvgPool(1, 1))
                        .add("flatten", flatten())
                        .add("dropout", dropout(o.dropoutOr(0.2))));
        TorchKeys keys = TorchKeys.of(
                "backbone.stem.", "",
                "backbone.inception3.", "",
                "backbone.inception4.", "",
                "backbone.inception5.", "",
                "head.0.", "fc.");
        return new ConvNet("googlenet", o, backbone, classes -> linear(classes), keys,
                new Init(Rule.TRUNC_NORMAL_001, Rule.TRUNC_NORMAL_001));
    }

    /** torchvision's BasicConv2d: conv (no bias) + BatchNorm(eps=0.001) + ReLU. */
    static Named basicConv2d(int channels, int kernel, int stride, int padding) {
        return new Named()
                .add("conv", conv(channels, kernel, stride, padding, false))
                .add("bn", bn(0.001f))
                .add("relu", relu());
    }

    /** The six conv widths of Inception module {@code i} of {@link #INCEPTIONS}, scaled by {@code --width}. */
    private static int[] channels(ModelOptions o, int i) {
        int[] n = new int[6];
        for (int j = 0; j < 6; j++) {
            n[j] = o.scaled((Integer) INCEPTIONS[i][j + 1]);
        }
        return n;
    }

    /** Inception modules {@code from..to-1} of {@link #INCEPTIONS}, named inception3a ... */
    private static Named inceptions(ModelOptions o, int from, int to) {
        Named stage = new Named();
        for (int i = from; i < to; i++) {
            int[] n = channels(o, i);
            stage.add("inception" + INCEPTIONS[i][0], new Concat()
                    .add("branch1", basicConv2d(n[0], 1, 1, 0))
                    .add("branch2", Seq.of(basicConv2d(n[1], 1, 1, 0), basicConv2d(n[2], 3, 1, 1)))
                    .add("branch3", Seq.of(basicConv2d(n[3], 1, 1, 0), basicConv2d(n[4], 3, 1, 1)))
                    .add("branch4", Seq.of(maxPool(3, 1, 1, true), basicConv2d(n[5], 1, 1, 0))));
        }
        return stage;
    }

    // ---- d2l --------------------------------------------------------------------------------

    public static ConvNet d2l(ModelOptions o) {
        o.requireOnly("googlenet-d2l");
        Backbone backbone = new Backbone()
                .add("b1", Seq.of(conv(o.scaled(64), 7, 2, 3), relu(), maxPool(3, 2, 1, false)))
                .add("b2", Seq.of(conv(o.scaled(64), 1, 1, 0), relu(),
                        conv(o.scaled(192), 3, 1, 1), relu(), maxPool(3, 2, 1, false)))
                .add("b3", d2lInceptions(o, 0, 2).add(maxPool(3, 2, 1, false)))
                .add("b4", d2lInceptions(o, 2, 7).add(maxPool(3, 2, 1, false)))
                .add("b5", d2lInceptions(o, 7, 9).add(adaptiveAvgPool(1, 1)).add(flatten()));
        return new ConvNet("googlenet-d2l", o, backbone, classes -> linear(classes), d2lKeys(),
                new Init(Rule.XAVIER_UNIFORM, Rule.XAVIER_UNIFORM));
    }

    /**
     * d2l's Inception: branch b1 = 1x1; b2 = 1x1, 3x3; b3 = 1x1, 5x5; b4 = 3x3/1 max-pool, 1x1;
     * ReLU after every conv. Each branch is a Sequential (conv, ReLU, ...).
     */
    private static Seq d2lInceptions(ModelOptions o, int from, int to) {
        Seq stage = new Seq();
        for (int i = from; i < to; i++) {
            int[] n = channels(o, i);
            stage.add(new Concat()
                    .add("b1", Seq.of(conv(n[0], 1, 1, 0), relu()))
                    .add("b2", Seq.of(conv(n[1], 1, 1, 0), relu(), conv(n[2], 3, 1, 1), relu()))
                    .add("b3", Seq.of(conv(n[3], 1, 1, 0), relu(), conv(n[4], 5, 1, 2), relu()))
                    .add("b4", Seq.of(maxPool(3, 1, 1, false), conv(n[5], 1, 1, 0), relu())));
        }
        return stage;
    }

    /**
     * d2l's keys: net = Sequential(b1, b2, b3, b4, b5, Linear), the Inception convs are attributes
     * b1_1, b2_1, b2_2, b3_1, b3_2, b4_2 ({@code net.2.0.b2_2.weight}).
     */
    private static TorchKeys d2lKeys() {
        List<String> rules = new ArrayList<>(List.of(
                "backbone.b1.", "net.0.", "backbone.b2.", "net.1.", "head.0.", "net.5."));
        int[] modules = {2, 5, 2}; // Inception modules in b3, b4, b5
        // (branch, index of the conv in our branch Sequential, d2l's attribute)
        String[][] convs = {{"b1", "0", "b1_1"}, {"b2", "0", "b2_1"}, {"b2", "2", "b2_2"},
            {"b3", "0", "b3_1"}, {"b3", "2", "b3_2"}, {"b4", "1", "b4_2"}};
        for (int s = 0; s < modules.length; s++) {
            for (int m = 0; m < modules[s]; m++) {
                for (String[] c : convs) {
                    rules.add("backbone.b" + (s + 3) + "." + m + "." + c[0] + "." + c[1] + ".");
                    rules.add("net." + (s + 2) + "." + m + "." + c[2] + ".");
                }
            }
        }
        return TorchKeys.of(rules.toArray(String[]::new));
    }
}
