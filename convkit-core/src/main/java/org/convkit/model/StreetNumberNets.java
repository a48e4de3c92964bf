package org.convkit.model;

import static org.convkit.model.layers.Layers.conv;
import static org.convkit.model.layers.Layers.flatten;
import static org.convkit.model.layers.Layers.linear;
import static org.convkit.model.layers.Layers.maxPool;
import static org.convkit.model.layers.Layers.relu;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.convkit.model.layers.Seq;

/**
 * The two models of the street-number write-up (Tianchi's "street view character recognition"
 * baseline): a house number read as six digit positions, each position a classifier of 11
 * classes (the digits and "no digit"), all over one shared feature extractor. Inputs are 3x64x128
 * (the write-up resizes every crop to 64 x 128).
 *
 * <ul>
 *   <li>{@code svhn-cnn} (its {@code SVHN_Model1}): {@code cnn} = Conv2d(16, 3x3, stride 2, no
 *       padding), ReLU, MaxPool 2, Conv2d(32, 3x3, stride 2), ReLU, MaxPool 2; flatten (32*3*7 =
 *       672 features at 64x128); six Linear heads {@code fc1} ... {@code fc6}.
 *   <li>{@code svhn-resnet18} (its second model): torchvision's ResNet-18 without {@code fc}
 *       ({@code nn.Sequential(*list(resnet18.children())[:-1])}, so conv1 = {@code cnn.0}, bn1 =
 *       {@code cnn.1}, layer1 ... layer4 = {@code cnn.4} ... {@code cnn.7}), feeding six Linear(512)
 *       heads {@code fc0} ... {@code fc5}. torchvision's ImageNet weights load into its backbone.
 * </ul>
 *
 * Keys are the write-up's state-dict keys, so its saved models load unchanged; {@code --heads K}
 * builds K positions (keys for the first sixteen heads follow the write-up's numbering).
 */
public final class StreetNumberNets {
    /** The write-up's positions: six digits at most. */
    static final int HEADS = 6;
    /** Ten digits and the blank that pads shorter numbers. */
    static final int CLASSES = 11;
    /** Heads that get the write-up's key names. */
    private static final int NAMED_HEADS = 16;

    private StreetNumberNets() {}

    static void register(Consumer<Architecture> zoo) {
        ModelOptions crops = ModelOptions.defaults().withClasses(CLASSES).withInput(3, 64, 128).withHeads(HEADS);
        zoo.accept(new Architecture("svhn-cnn",
                "the street-number write-up's CNN: two stride-2 convs + max-pools, six 11-class heads fc1..fc6",
                crops, StreetNumberNets::buildCnn));
        zoo.accept(new Architecture("svhn-resnet18",
                "the street-number write-up's ResNet-18 (torchvision's, without fc) with six heads fc0..fc5",
                crops, StreetNumberNets::buildResNet18));
    }

    /** {@code svhn-cnn}: the write-up's SVHN_Model1. */
    public static ConvNet buildCnn(ModelOptions o) {
        o.requireOnly("svhn-cnn");
        Backbone backbone = new Backbone()
                .add("cnn", Seq.of(
                        conv(o.scaled(16), 3, 2, 0), relu(), maxPool(2, 2),
                        conv(o.scaled(32), 3, 2, 0), relu(), maxPool(2, 2)))
                .add("flatten", flatten());
        List<String> keys = new ArrayList<>(List.of("backbone.cnn.", "cnn."));
        headKeys(keys, 1);
        return new ConvNet("svhn-cnn", o, backbone, classes -> linear(classes), TorchKeys.of(keys.toArray(String[]::new)),
                Init.torchDefault());
    }

    /** {@code svhn-resnet18}: torchvision's ResNet-18 backbone, six heads. */
    public static ConvNet buildResNet18(ModelOptions o) {
        o.requireOnly("svhn-resnet18");
        // children of torchvision's resnet18 minus fc: conv1 bn1 relu maxpool layer1..4 avgpool
        List<String> keys = new ArrayList<>(List.of(
                "backbone.stem.conv1.", "cnn.0.",
                "backbone.stem.bn1.", "cnn.1.",
                "backbone.layer1.", "cnn.4.",
                "backbone.layer2.", "cnn.5.",
                "backbone.layer3.", "cnn.6.",
                "backbone.layer4.", "cnn.7."));
        headKeys(keys, 0);
        return new ConvNet("svhn-resnet18", o, ResNet.backbone(18, o), classes -> linear(classes),
                TorchKeys.of(keys.toArray(String[]::new)), ResNet.INIT);
    }

    /** head.i. -> fc{first + i}. */
    private static void headKeys(List<String> keys, int first) {
        for (int i = 0; i < NAMED_HEADS; i++) {
            keys.add("head." + i + ".");
            keys.add("fc" + (first + i) + ".");
        }
    }
}
