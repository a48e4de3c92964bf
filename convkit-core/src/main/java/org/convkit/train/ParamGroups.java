package org.convkit.train;

import ai.djl.nn.Parameter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.convkit.model.ConvNet;
import org.convkit.model.ParamPaths;
import org.convkit.train.optim.ParamGroup;

/**
 * The usual ways to split a network's parameters into optimizer groups. BatchNorm running
 * statistics are never in a group (they are buffers, not trained); frozen parameters are, so
 * unfreezing later makes them train without rebuilding the optimizer.
 */
public final class ParamGroups {
    private ParamGroups() {}

    /** Every trainable parameter in one group. */
    public static List<ParamGroup> all(ConvNet net, double weightDecay) {
        return List.of(new ParamGroup("all", trainable(net, ""), 1, weightDecay));
    }

    /**
     * The backbone at {@code backboneScale} times the base rate (fine-tuning: e.g. 0.1), the head
     * at the base rate.
     */
    public static List<ParamGroup> backboneAndHead(ConvNet net, double backboneScale, double weightDecay) {
        return List.of(
                new ParamGroup("backbone", trainable(net, "backbone."), backboneScale, weightDecay),
                new ParamGroup("head", trainable(net, "head."), 1, weightDecay));
    }

    /** Parameters (not running statistics) whose path starts with {@code prefix}. */
    static Map<String, Parameter> trainable(ConvNet net, String prefix) {
        Map<String, Parameter> out = new LinkedHashMap<>();
        net.parametersByPath().forEach((path, p) -> {
            if (!ParamPaths.isBuffer(p) && path.startsWith(prefix)) {
                out.put(path, p);
            }
        });
        return out;
    }
}
