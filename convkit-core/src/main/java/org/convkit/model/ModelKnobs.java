package org.convkit.model;

import java.util.ArrayList;
import java.util.List;

/**
 * The knobs a user turns on a zoo model beside its class count, input and heads: {@code --width
 * --arch --fc --dropout --stem --activation --pool}. {@code null} = the family's own default. One value
 * for every place that takes them (the CLI's model flags, a training config, a checkpoint being
 * fine-tuned), applied to {@link ModelOptions} in one place.
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

    /** The flags of the knobs set, e.g. {@code [--width, --stem]}: for refusing them where they mean nothing. */
    public List<String> flagsGiven() {
        List<String> out = new ArrayList<>();
        Object[] values = {dropout, width, stem, arch, fc, activation, pool};
        String[] flags = {"--dropout", "--width", "--stem", "--arch", "--fc", "--activation", "--pool"};
        for (int i = 0; i < values.length; i++) {
            if (values[i] != null) {
                out.add(flags[i]);
            }
        }
        return out;
    }
}
