package org.convkit.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Locale;
import org.convkit.core.ConvkitException;

/**
 * Everything that shapes a network besides its family: class count, input, head count and the
 * family-specific knobs. Immutable; {@code with*} returns a copy. Saved in every checkpoint, so a
 * network can be rebuilt exactly from its options.
 *
 * @param classes classes per head (1000 = ImageNet, torchvision's default)
 * @param channels input channels (3 = RGB, 1 = gray)
 * @param height input height in pixels
 * @param width input width in pixels
 * @param heads parallel classifier heads over one backbone (1 for plain classification; K for
 *     fixed-length sequences such as street numbers)
 * @param dropout dropout rate in the classifier, {@code null} = the family's own default
 * @param widthMultiplier scales every hidden width (channels, FC units); 1 = as published
 * @param activation {@code relu} or {@code sigmoid} (LeNet only; others use ReLU as published)
 * @param stem ResNet: {@code imagenet} or {@code cifar} (3x3 stride-1 conv, no max-pool); resnet9:
 *     {@code cifar} (the default, Page's) or {@code stride2} (the prep conv at stride 2)
 * @param arch conv stages for {@code vgg} ("1x64,1x128,2x256") and {@code simplecnn}
 *     ("64,128,256"), {@code null} = the family's default
 * @param fc hidden fully-connected widths ({@code simplecnn}, e.g. "1024,512"), {@code null} = default
 * @param pool resnet9's global pooling: {@code max} (Page's, the default) or {@code concat} (max and
 *     average side by side, fastai's head)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ModelOptions(
        int classes,
        int channels,
        int height,
        int width,
        int heads,
        Double dropout,
        double widthMultiplier,
        String activation,
        String stem,
        String arch,
        String fc,
        String pool)
        implements java.io.Serializable {

    public ModelOptions {
        if (classes < 1) {
            throw new ConvkitException("--classes " + classes + ": must be at least 1");
        }
        if (channels < 1) {
            throw new ConvkitException("--input: channels " + channels + " must be at least 1");
        }
        if (height < 1 || width < 1) {
            throw new ConvkitException("--input: size " + height + "x" + width + " must be positive");
        }
        if (heads < 1) {
            throw new ConvkitException("--heads " + heads + ": must be at least 1");
        }
        if (dropout != null && (dropout < 0 || dropout >= 1)) {
            throw new ConvkitException("--dropout " + dropout + ": must be in [0, 1)");
        }
        if (!(widthMultiplier > 0)) {
            throw new ConvkitException("--width " + widthMultiplier + ": must be positive");
        }
    }

    /** ImageNet defaults: 1000 classes, 3x224x224, one head. */
    public static ModelOptions defaults() {
        return builder().build();
    }

    /** A builder holding {@link #defaults()}. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding these options: change what you need and {@link Builder#build()}. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.classes = classes;
        b.channels = channels;
        b.height = height;
        b.width = width;
        b.heads = heads;
        b.dropout = dropout;
        b.widthMultiplier = widthMultiplier;
        b.activation = activation;
        b.stem = stem;
        b.arch = arch;
        b.fc = fc;
        b.pool = pool;
        return b;
    }

    public ModelOptions withClasses(int n) {
        return toBuilder().classes(n).build();
    }

    public ModelOptions withInput(int c, int h, int w) {
        return toBuilder().input(c, h, w).build();
    }

    public ModelOptions withHeads(int k) {
        return toBuilder().heads(k).build();
    }

    public ModelOptions withDropout(Double p) {
        return toBuilder().dropout(p).build();
    }

    public ModelOptions withWidthMultiplier(double m) {
        return toBuilder().widthMultiplier(m).build();
    }

    public ModelOptions withActivation(String a) {
        return toBuilder().activation(a).build();
    }

    public ModelOptions withStem(String s) {
        return toBuilder().stem(s).build();
    }

    public ModelOptions withArch(String a) {
        return toBuilder().arch(a).build();
    }

    public ModelOptions withFc(String f) {
        return toBuilder().fc(f).build();
    }

    public ModelOptions withPool(String p) {
        return toBuilder().pool(p).build();
    }

    /**
     * Refuses the family knobs ({@link ModelKnobs#byName()}) that {@code model} does not have, so a flag
     * is never silently ignored; {@code --width} scales every family and is never refused.
     *
     * @param supported the knobs the family reads, by name
     */
    public void requireOnly(String model, String... supported) {
        List<String> allowed = List.of(supported);
        for (String knob : allowed) {
            if (!ModelKnobs.NONE.byName().containsKey(knob)) {
                throw new IllegalArgumentException(model + ": no knob named " + knob);
            }
        }
        for (var e : ModelKnobs.of(this).byName().entrySet()) {
            String knob = e.getKey();
            if (e.getValue() != null && !knob.equals(ModelKnobs.WIDTH) && !allowed.contains(knob)) {
                throw new ConvkitException("--" + knob + " " + e.getValue() + ": " + model
                        + " has no such option" + (allowed.isEmpty() ? "" : " (it takes --" + String.join(", --", allowed) + ")"));
            }
        }
    }

    /** The dropout rate to use: the user's, else the family's published one. */
    public double dropoutOr(double familyDefault) {
        return dropout == null ? familyDefault : dropout;
    }

    /** A hidden width scaled by {@link #widthMultiplier}, never below 1. */
    public int scaled(int published) {
        return Math.max(1, (int) Math.round(published * widthMultiplier));
    }

    /** Input as "CxHxW", the form {@code --input} takes. */
    public String inputSpec() {
        return channels + "x" + height + "x" + width;
    }

    /** Parses "CxHxW", "HxW" (keeps channels) or "S" (square, keeps channels). */
    public ModelOptions withInputSpec(String spec) {
        String[] p = spec.toLowerCase(Locale.ROOT).split("x");
        try {
            return switch (p.length) {
                case 1 -> withInput(channels, Integer.parseInt(p[0]), Integer.parseInt(p[0]));
                case 2 -> withInput(channels, Integer.parseInt(p[0]), Integer.parseInt(p[1]));
                case 3 -> withInput(Integer.parseInt(p[0]), Integer.parseInt(p[1]), Integer.parseInt(p[2]));
                default -> throw new NumberFormatException();
            };
        } catch (NumberFormatException e) {
            throw new ConvkitException("--input " + spec + ": expected CxHxW (e.g. 3x224x224), HxW or a size");
        }
    }

    /** Builds {@link ModelOptions} by name; starts from {@link #defaults()}. */
    public static final class Builder {
        private int classes = 1000;
        private int channels = 3;
        private int height = 224;
        private int width = 224;
        private int heads = 1;
        private Double dropout;
        private double widthMultiplier = 1.0;
        private String activation;
        private String stem;
        private String arch;
        private String fc;
        private String pool;

        private Builder() {}

        public Builder classes(int v) { classes = v; return this; }
        public Builder heads(int v) { heads = v; return this; }
        public Builder dropout(Double v) { dropout = v; return this; }
        public Builder widthMultiplier(double v) { widthMultiplier = v; return this; }
        public Builder activation(String v) { activation = v; return this; }
        public Builder stem(String v) { stem = v; return this; }
        public Builder arch(String v) { arch = v; return this; }
        public Builder fc(String v) { fc = v; return this; }
        public Builder pool(String v) { pool = v; return this; }

        /** Channels, height and width of the input. */
        public Builder input(int c, int h, int w) {
            channels = c;
            height = h;
            width = w;
            return this;
        }

        public ModelOptions build() {
            return new ModelOptions(classes, channels, height, width, heads, dropout, widthMultiplier, activation, stem,
                    arch, fc, pool);
        }
    }
}
