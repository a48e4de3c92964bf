package org.convkit.model;

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
import org.convkit.core.ConvkitException;
import org.convkit.model.layers.Seq;

/**
 * The plain Conv+BN stack of the Food-11 homework baseline (ML2022 HW3): stages of Conv3x3(pad 1)
 * - BatchNorm - ReLU - MaxPool 2x2, then fully-connected ReLU layers and the classifier. At the
 * default 3x128x128 the five stages leave 512x4x4, which is where the homework's hand-typed
 * {@code 512*4*4} came from; here the first Linear infers it for any input and {@code --arch}.
 *
 * <p>{@code --arch 64,128,256,512,512} sets the stages' channels, {@code --fc 1024,512} the hidden
 * widths ({@code --fc ""} for none), {@code --dropout P} adds Dropout after each hidden ReLU.
 * Backbone stages {@code features} and {@code pre_logits}; paths map to the homework's keys
 * ({@code cnn.0.weight}, {@code fc.0.weight}, head {@code fc.4.weight}).
 */
public final class SimpleCnn {
    private SimpleCnn() {}

    static final String ARCH = "64,128,256,512,512";
    static final String FC = "1024,512";

    static void register(Consumer<Architecture> zoo) {
        zoo.accept(new Architecture("simplecnn",
                "Conv3x3-BN-ReLU-MaxPool stages + FC (Food-11 baseline); --arch, --fc, --dropout",
                ModelOptions.defaults().withClasses(11).withInput(3, 128, 128), SimpleCnn::build));
    }

    public static ConvNet build(ModelOptions o) {
        o.requireOnly("simplecnn", "arch", "fc", "dropout");
        Seq features = new Seq();
        for (int c : widths("--arch", o.arch() == null ? ARCH : o.arch(), false)) {
            features.add(conv(o.scaled(c), 3, 1, 1)).add(bn()).add(relu()).add(maxPool(2, 2));
        }
        double p = o.dropoutOr(0);
        Seq fc = new Seq();
        for (int w : widths("--fc", o.fc() == null ? FC : o.fc(), true)) {
            fc.add(linear(o.scaled(w))).add(relu());
            if (p > 0) {
                fc.add(dropout(p));
            }
        }
        Backbone backbone = new Backbone().add("features", features).add("flatten", flatten());
        if (!fc.getChildren().isEmpty()) {
            backbone.add("pre_logits", fc);
        }
        TorchKeys keys = TorchKeys.of(
                "backbone.features.", "cnn.",
                "backbone.pre_logits.", "fc.",
                "head.0.", "fc." + fc.getChildren().size() + ".");
        return new ConvNet("simplecnn", o, backbone, classes -> linear(classes), keys, Init.torchDefault());
    }

    /** "64,128,256" as positive ints; {@code emptyOk}: "" means none. */
    static List<Integer> widths(String flag, String spec, boolean emptyOk) {
        List<Integer> out = new ArrayList<>();
        if (spec.isBlank() && emptyOk) {
            return out;
        }
        try {
            for (String s : spec.split(",", -1)) {
                int v = Integer.parseInt(s.trim());
                if (v < 1) {
                    throw new NumberFormatException();
                }
                out.add(v);
            }
        } catch (NumberFormatException e) {
            throw new ConvkitException(flag + " " + spec + ": expected positive widths separated by commas, e.g. "
                    + (flag.equals("--arch") ? ARCH : FC + " (or \"\" for none)"));
        }
        return out;
    }
}
