package org.convkit.model;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The knobs a user turns on a zoo model beside its class count, input and heads: {@code --width
 * --arch --fc --dropout --stem --activation --pool}. {@code null} = the family's own default. One value
 * for every place that takes them (the CLI's model flags, a training config, a checkpoint being
 * fine-tuned), applied to {@link ModelOptions} in one place. Their names (each the flag without
 * {@code --} and the training config key) are listed once, in {@link #byName()}.
 *
 * @param width multiplier of every hidden width (1 = as published)
 * @param arch conv stages (vgg, simplecnn)
 * @param fc hidden fully-connected widths (simplecnn)
 * @param dropout classifier dropout
 * @param stem ResNet stem: imagenet or cifar; resnet9: cifar or stride2
 * @param activation LeNet activation: sigmoid or relu
 * @param pool resnet9's global pooling: max or concat
 */
public record ModelKnobs(Double width, String arch, String fc, Double dropout, String stem, String activation, String pool) {
    /** The one knob every family takes (it scales any network), so never refused. */
    public static final String WIDTH = "width";

    /** Nothing set: every family default. */
    public static final ModelKnobs NONE = new ModelKnobs(null, null, null, null, null, null, null);

    /** The knobs {@code o} sets (a width multiplier of 1 is the default, so not set). */
    public static ModelKnobs of(ModelOptions o) {
        return new ModelKnobs(o.widthMultiplier() != 1.0 ? o.widthMultiplier() : null, o.arch(), o.fc(), o.dropout(),
                o.stem(), o.activation(), o.pool());
    }

    /** {@code o} with every knob set here applied. */
    public ModelOptions applyTo(ModelOptions o) {
        ModelOptions r = o;
        if (width != null) {
            r = r.withWidthMultiplier(width);
        }
        if (arch != null) {
            r = r.withArch(arch);
        }
        if (fc != null) {
            r = r.withFc(fc);
        }
        if (dropout != null) {
            r = r.withDropout(dropout);
        }
        if (stem != null) {
            r = r.withStem(stem);
        }
        if (activation != null) {
            r = r.withActivation(activation);
        }
        if (pool != null) {
            r = r.withPool(pool);
        }
        return r;
    }

    /** These knobs, each one not set taken from {@code fallback}. */
    public ModelKnobs orElse(ModelKnobs fallback) {
        return new ModelKnobs(width != null ? width : fallback.width, arch != null ? arch : fallback.arch,
                fc != null ? fc : fallback.fc, dropout != null ? dropout : fallback.dropout,
                stem != null ? stem : fallback.stem, activation != null ? activation : fallback.activation,
                pool != null ? pool : fallback.pool);
    }

    /**
     * Every knob by its name, in one order (that of this record, and of the CLI's flags); a knob not
     * set maps to {@code null}.
     */
    public Map<String, Object> byName() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put(WIDTH, width);
        m.put("arch", arch);
        m.put("fc", fc);
        m.put("dropout", dropout);
        m.put("stem", stem);
        m.put("activation", activation);
        m.put("pool", pool);
        return m;
    }

    /** The flags of the knobs set, e.g. {@code [--width, --stem]}: for refusing them where they mean nothing. */
    public List<String> flagsGiven() {
        return byName().entrySet().stream().filter(e -> e.getValue() != null).map(e -> "--" + e.getKey()).toList();
    }
}
