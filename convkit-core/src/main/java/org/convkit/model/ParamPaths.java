package org.convkit.model;

import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import java.util.LinkedHashMap;
import java.util.Map;
import org.convkit.model.layers.BlockNames;

/**
 * Dotted parameter paths in PyTorch style ({@code backbone.layer1.0.conv1.weight}).
 *
 * <p>DJL names children "01conv1", "02Conv2d" and BatchNorm parameters gamma/beta/runningMean;
 * PyTorch says conv1, 0, weight/bias/running_mean. These paths are what checkpoints store and
 * what {@link TorchKeys} maps to torchvision's state-dict keys.
 */
public final class ParamPaths {
    private ParamPaths() {}

    /** Every parameter (weights and BatchNorm running statistics) under its path, in model order. */
    public static Map<String, Parameter> of(Block root) {
        Map<String, Parameter> out = new LinkedHashMap<>();
        walk(root, "", out);
        return out;
    }

    private static void walk(Block block, String prefix, Map<String, Parameter> out) {
        for (Pair<String, Parameter> p : block.getDirectParameters()) {
            out.put(prefix + torchParamName(p.getKey()), p.getValue());
        }
        int index = 0;
        for (Pair<String, Block> child : block.getChildren()) {
            String name = BlockNames.child(block, index);
            walk(child.getValue(), prefix + name + ".", out);
            index++;
        }
    }

    /** DJL's parameter names to PyTorch's. */
    static String torchParamName(String djl) {
        return switch (djl) {
            case "gamma" -> "weight";
            case "beta" -> "bias";
            case "runningMean" -> "running_mean";
            case "runningVar" -> "running_var";
            default -> djl;
        };
    }

    /**
     * Whether {@code p} is a BatchNorm running statistic (PyTorch's buffers): never trained, never
     * given a gradient, but part of the state that freezing holds and checkpoints keep.
     */
    public static boolean isBuffer(Parameter p) {
        return p.getType() == Parameter.Type.RUNNING_MEAN || p.getType() == Parameter.Type.RUNNING_VAR;
    }
}
