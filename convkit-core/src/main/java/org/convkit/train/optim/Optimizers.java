package org.convkit.train.optim;

import ai.djl.ndarray.NDManager;
import java.util.List;
import java.util.Locale;
import org.convkit.core.ConvkitException;

/**
 * The optimizers by the names {@code --optimizer} takes, with defaults that train a CNN well the
 * first time (with BatchNorm and a one-cycle or cosine schedule).
 */
public final class Optimizers {
    public static final List<String> NAMES = List.of("sgd", "adam", "adamw", "rmsprop");

    private Optimizers() {}

    /**
     * Hyper-parameters {@code --optimizer} shares; {@code null} = the optimizer's default.
     *
     * @param momentum SGD/RMSprop momentum, Adam's beta1
     * @param nesterov SGD only
     * @param weightDecay L2 (decoupled for adamw)
     */
    public record Settings(Double momentum, Boolean nesterov, Double weightDecay) {}

    static String check(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        if (!NAMES.contains(n)) {
            throw new ConvkitException("--optimizer " + name + ": unknown; choose one of " + String.join(", ", NAMES));
        }
        return n;
    }

    /** The peak learning rate used when {@code --lr} is not given. */
    public static double defaultLr(String name) {
        return switch (check(name)) {
            case "sgd" -> 0.1; // with momentum 0.9 and BatchNorm: the ResNet papers' value
            case "rmsprop" -> 1e-3; // torch's 1e-2 diverges on most CNNs without tuning
            default -> 1e-3; // Adam's paper and torch's default
        };
    }

    /**
     * The learning rate {@code --lr auto} falls back to when the range test has no good answer:
     * one that rarely diverges (SGD a tenth of its default; Adam's default already is one).
     */
    public static double safeLr(String name) {
        return check(name).equals("sgd") ? 0.01 : defaultLr(name);
    }

    /** Momentum (Adam: beta1) when {@code --momentum} is not given. */
    public static double defaultMomentum(String name) {
        return switch (check(name)) {
            case "sgd", "adam", "adamw" -> 0.9;
            default -> 0.0; // torch's RMSprop default
        };
    }

    /** Weight decay when {@code --weight-decay} is not given. */
    public static double defaultWeightDecay(String name) {
        return switch (check(name)) {
            case "sgd" -> 5e-4; // the usual CIFAR/ResNet setting
            case "adamw" -> 1e-2; // torch's AdamW default
            default -> 0.0; // torch's Adam and RMSprop default
        };
    }

    /**
     * Builds optimizer {@code name} over {@code groups} (their weight decay already set); state
     * tensors live under {@code parent}.
     */
    public static Optimizer create(String name, List<ParamGroup> groups, NDManager parent, Settings s) {
        String n = check(name);
        double momentum = s.momentum() != null ? s.momentum() : defaultMomentum(n);
        boolean nesterov = s.nesterov() != null && s.nesterov();
        if (nesterov && !n.equals("sgd")) {
            throw new ConvkitException("--nesterov applies to --optimizer sgd only (not " + n + ")");
        }
        if (momentum < 0 || momentum >= 1) {
            throw new ConvkitException("--momentum " + momentum + ": expected a value in [0, 1), e.g. 0.9");
        }
        return switch (n) {
            case "sgd" -> new Sgd(groups, parent, momentum, nesterov);
            case "adam" -> new Adam(groups, parent, momentum, 0.999, 1e-8, false);
            case "adamw" -> new Adam(groups, parent, momentum, 0.999, 1e-8, true);
            default -> new RmsProp(groups, parent, 0.99, 1e-8, momentum, false);
        };
    }
}
