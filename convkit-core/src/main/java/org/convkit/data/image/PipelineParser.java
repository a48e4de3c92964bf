package org.convkit.data.image;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.convkit.core.Choices;
import org.convkit.core.ConvkitException;

/**
 * Parses the explicit pipeline option: comma-separated steps {@code name[=value][:key=value...]},
 * lists with {@code /}, sizes as {@code N} or {@code HxW}. Steps and their torchvision names:
 *
 * <pre>
 * resize=256 | resize=224x320            Resize (shorter side | height x width)
 * centercrop=224 | centercrop=224x200    CenterCrop
 * randomresizedcrop=224[:scale=0.08/1][:ratio=0.75/1.3333]   RandomResizedCrop (alias rrc)
 * randomcrop=32[:padding=4 | 4/2 | l/t/r/b][:pad_if_needed][:fill=0][:padding_mode=reflect]   RandomCrop
 *                                        (padding_mode: constant, edge, reflect or symmetric)
 * hflip[=0.5], vflip[=0.5]               RandomHorizontalFlip, RandomVerticalFlip
 * rotation=15 | rotation=-10/30[:fill=0] RandomRotation
 * colorjitter=b/c/s/h (missing = 0)      ColorJitter(brightness, contrast, saturation, hue)
 * grayscale[=1|3]                        Grayscale(num_output_channels)
 * normalize=imagenet | normalize:mean=0.5/0.5/0.5:std=0.5/0.5/0.5   Normalize
 * totensor                               ToTensor (always the last step; may be omitted)
 * </pre>
 */
public final class PipelineParser {
    private PipelineParser() {}

    /**
     * @param spec the option value
     * @param option the flag it came from, for messages (e.g. "--transforms")
     * @throws ConvkitException naming the step and what was expected
     */
    public static Pipeline parse(String spec, String option) {
        if (spec == null || spec.isBlank()) {
            throw new ConvkitException(option + " is empty; give steps like resize=256,centercrop=224,normalize=imagenet");
        }
        List<Transform> steps = new ArrayList<>();
        Normalize normalize = Normalize.NONE;
        String[] parts = spec.split(",");
        for (int i = 0; i < parts.length; i++) {
            String part = parts[i].trim();
            if (part.isEmpty()) {
                throw new ConvkitException(option + " '" + spec + "': empty step at position " + (i + 1));
            }
            Step s = Step.of(part, option);
            try {
                switch (s.name) {
                    case "resize" -> {
                        int[] hw = s.size();
                        steps.add(hw.length == 1 ? Resize.shorterSide(hw[0]) : Resize.to(hw[0], hw[1]));
                    }
                    case "centercrop" -> {
                        int[] hw = square(s.size());
                        steps.add(new CenterCrop(hw[0], hw[1]));
                    }
                    case "randomresizedcrop", "rrc" -> {
                        int[] hw = square(s.size());
                        double[] scale = s.pair("scale", 0.08, 1.0);
                        double[] ratio = s.pair("ratio", 3.0 / 4.0, 4.0 / 3.0);
                        steps.add(new RandomResizedCrop(hw[0], hw[1], scale[0], scale[1], ratio[0], ratio[1]));
                    }
                    case "randomcrop" -> {
                        int[] hw = square(s.size());
                        int[] padding = s.ints("padding", new int[0]);
                        steps.add(new RandomCrop(hw[0], hw[1], padding, s.flag("pad_if_needed"), s.ints("fill", new int[] {0}),
                                s.choice("padding_mode", PaddingMode.class, PaddingMode.CONSTANT)));
                    }
                    case "hflip", "randomhorizontalflip" -> steps.add(RandomFlip.horizontal(s.number(0.5)));
                    case "vflip", "randomverticalflip" -> steps.add(RandomFlip.vertical(s.number(0.5)));
                    case "rotation", "randomrotation" -> {
                        double[] d = s.numbers();
                        if (d.length == 1) {
                            if (d[0] < 0) {
                                throw s.error("a single angle must be positive (it means -d..d)");
                            }
                            steps.add(new RandomRotation(-d[0], d[0], s.ints("fill", new int[] {0})));
                        } else if (d.length == 2) {
                            steps.add(new RandomRotation(d[0], d[1], s.ints("fill", new int[] {0})));
                        } else {
                            throw s.error("expected rotation=DEGREES or rotation=LO/HI");
                        }
                    }
                    case "colorjitter" -> {
                        double[] v = s.value == null ? new double[0] : s.numbers();
                        if (v.length > 4) {
                            throw s.error("colorjitter takes up to 4 numbers: brightness/contrast/saturation/hue");
                        }
                        double[] f = new double[4];
                        System.arraycopy(v, 0, f, 0, v.length);
                        f[0] = s.number("brightness", f[0]);
                        f[1] = s.number("contrast", f[1]);
                        f[2] = s.number("saturation", f[2]);
                        f[3] = s.number("hue", f[3]);
                        steps.add(new ColorJitter(f[0], f[1], f[2], f[3]));
                    }
                    case "grayscale" -> steps.add(new Grayscale(s.value == null ? 1 : (int) s.number(1)));
                    case "normalize" -> {
                        if (s.value != null) {
                            try {
                                normalize = Normalize.preset(s.value);
                            } catch (ConvkitException e) {
                                throw s.error(e.getMessage());
                            }
                        } else {
                            double[] mean = s.doubles("mean");
                            double[] std = s.doubles("std");
                            if (mean == null || std == null) {
                                throw s.error("expected normalize=PRESET or normalize:mean=a/b/c:std=d/e/f; presets: "
                                        + String.join(", ", Normalize.presetNames()));
                            }
                            normalize = Normalize.of(mean, std);
                        }
                    }
                    case "totensor" -> {
                        if (i != parts.length - 1 && !parts[parts.length - 1].trim().startsWith("normalize")) {
                            throw s.error("totensor is always the last step (before normalize)");
                        }
                    }
                    default -> throw s.error("unknown step; known: resize, centercrop, randomresizedcrop, randomcrop,"
                            + " hflip, vflip, rotation, colorjitter, grayscale, normalize, totensor");
                }
            } catch (IllegalArgumentException e) {
                throw s.error(e.getMessage());
            }
            if (s.name.equals("normalize") && i != parts.length - 1) {
                throw s.error("normalize works on the tensor: make it the last step");
            }
        }
        return new Pipeline(steps, normalize);
    }

    private static int[] square(int[] hw) {
        return hw.length == 1 ? new int[] {hw[0], hw[0]} : hw;
    }

    /** One step: name, positional value, keyed options. */
    private static final class Step {
        final String text;
        final String option;
        final String name;
        final String value;
        final java.util.Map<String, String> keys = new java.util.LinkedHashMap<>();

        private Step(String text, String option, String name, String value) {
            this.text = text;
            this.option = option;
            this.name = name;
            this.value = value;
        }

        static Step of(String text, String option) {
            String[] pieces = text.split(":");
            String head = pieces[0].trim();
            int eq = head.indexOf('=');
            String name = (eq < 0 ? head : head.substring(0, eq)).trim().toLowerCase(Locale.ROOT);
            String value = eq < 0 ? null : head.substring(eq + 1).trim();
            Step s = new Step(text, option, name, value);
            for (int i = 1; i < pieces.length; i++) {
                String kv = pieces[i].trim();
                int e = kv.indexOf('=');
                s.keys.put((e < 0 ? kv : kv.substring(0, e)).trim().toLowerCase(Locale.ROOT), e < 0 ? null : kv.substring(e + 1).trim());
            }
            return s;
        }

        ConvkitException error(String why) {
            return new ConvkitException(option + " step '" + text + "': " + why);
        }

        int[] size() {
            if (value == null || value.isEmpty()) {
                throw error("needs a size, e.g. " + name + "=224 or " + name + "=224x320 (height x width)");
            }
            String[] hw = value.toLowerCase(Locale.ROOT).split("x");
            if (hw.length > 2) {
                throw error("size is N or HxW");
            }
            int[] out = new int[hw.length];
            for (int i = 0; i < hw.length; i++) {
                out[i] = parseInt(hw[i]);
                if (out[i] <= 0) {
                    throw error("size must be positive");
                }
            }
            return out;
        }

        double number(double dflt) {
            if (value == null) {
                return dflt;
            }
            return parseDouble(value);
        }

        double number(String key, double dflt) {
            String v = keys.get(key);
            return v == null ? dflt : parseDouble(v);
        }

        double[] numbers() {
            if (value == null) {
                throw error("needs a value");
            }
            return list(value);
        }

        double[] pair(String key, double lo, double hi) {
            String v = keys.get(key);
            if (v == null) {
                return new double[] {lo, hi};
            }
            double[] p = list(v);
            if (p.length != 2) {
                throw error(key + " takes two numbers LO/HI");
            }
            return p;
        }

        double[] doubles(String key) {
            String v = keys.get(key);
            return v == null ? null : list(v);
        }

        int[] ints(String key, int[] dflt) {
            String v = keys.get(key);
            if (v == null) {
                return dflt;
            }
            String[] p = v.split("/");
            int[] out = new int[p.length];
            for (int i = 0; i < p.length; i++) {
                out[i] = parseInt(p[i]);
            }
            return out;
        }

        /** The constant of {@code type} that {@code key} names, or {@code dflt} when it is not given. */
        <E extends Enum<E>> E choice(String key, Class<E> type, E dflt) {
            String v = keys.get(key);
            return v == null ? dflt : Choices.parse(type, option + " step '" + text + "': " + key, v);
        }

        boolean flag(String key) {
            if (!keys.containsKey(key)) {
                return false;
            }
            String v = keys.get(key);
            return v == null || v.equals("true") || v.equals("1");
        }

        private double[] list(String v) {
            String[] p = v.split("/");
            double[] out = new double[p.length];
            for (int i = 0; i < p.length; i++) {
                out[i] = parseDouble(p[i]);
            }
            return out;
        }

        private int parseInt(String v) {
            try {
                return Integer.parseInt(v.trim());
            } catch (NumberFormatException e) {
                throw error("'" + v + "' is not a whole number");
            }
        }

        private double parseDouble(String v) {
            try {
                return Double.parseDouble(v.trim());
            } catch (NumberFormatException e) {
                throw error("'" + v + "' is not a number");
            }
        }
    }
}
