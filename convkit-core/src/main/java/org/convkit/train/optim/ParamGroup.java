package org.convkit.train.optim;

import ai.djl.nn.Parameter;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Parameters that share hyper-parameters, as in {@code torch.optim}'s param groups: fine-tuning
 * gives the backbone a lower learning rate than the new head by putting them in two groups.
 *
 * <p>The learning rate of a group is {@code baseLr * lrScale * schedule factor}; the schedule sets
 * it before every step. Parameters whose {@link Parameter#requiresGradient()} is false (frozen) or
 * that received no gradient are skipped at each step, so freezing and unfreezing between epochs
 * needs no change here.
 */
public final class ParamGroup {
    private final String name;
    private final Map<String, Parameter> params;
    private final double lrScale;
    private double weightDecay;
    private double lr;

    /**
     * @param name for messages and the saved state ("all", "backbone", "head")
     * @param params trainable parameters by path (see {@code ConvNet.parametersByPath()})
     * @param lrScale multiplies the base learning rate for this group (1 = the base)
     * @param weightDecay L2 penalty (decoupled for AdamW), as the optimizer applies it
     */
    public ParamGroup(String name, Map<String, Parameter> params, double lrScale, double weightDecay) {
        this.name = name;
        this.params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
        this.lrScale = lrScale;
        this.weightDecay = weightDecay;
    }

    public String name() {
        return name;
    }

    /** Parameters by path, in model order. */
    public Map<String, Parameter> params() {
        return params;
    }

    public double lrScale() {
        return lrScale;
    }

    public double weightDecay() {
        return weightDecay;
    }

    public void setWeightDecay(double weightDecay) {
        this.weightDecay = weightDecay;
    }

    /** The learning rate the next step uses. */
    public double lr() {
        return lr;
    }

    public void setLr(double lr) {
        this.lr = lr;
    }
}
