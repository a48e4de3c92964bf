package org.convkit.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.convkit.core.ConvkitException;

/**
 * {@code --class-names}: the class names in order, with one meaning on every command: class
 * {@code i} of a model's output, or label {@code i} of the data, is called {@code names.get(i)}.
 * Given as
 *
 * <ul>
 *   <li>{@code a,b,c}: the names themselves, comma-separated (spaces around them are dropped);
 *   <li>{@code @FILE}: a text file with one name per line (blank lines skipped), as
 *       {@code classes.txt} files usually are;
 *   <li>{@code imagenet}: torchvision's 1000 ImageNet-1k class names, in the order of its
 *       pretrained weights' outputs ({@code torchvision.models.ResNet18_Weights.IMAGENET1K_V1
 *       .meta["categories"]}, the same for every torchvision classifier).
 * </ul>
 */
public final class ClassNames {
    /** The name of torchvision's ImageNet-1k class list. */
    public static final String IMAGENET = "imagenet";

    private static final String IMAGENET_RESOURCE = "imagenet-classes.txt";
    private static List<String> imagenet;

    private ClassNames() {}

    /**
     * The names {@code spec} gives.
     *
     * @param flag names the option in messages ("--class-names")
     * @throws ConvkitException for an unreadable file, an empty list or a name given twice
     */
    public static List<String> parse(String spec, String flag) {
        List<String> names;
        String from;
        if (spec.equals(IMAGENET)) {
            return imagenet();
        } else if (spec.startsWith("@")) {
            Path file = Path.of(spec.substring(1));
            from = flag + " " + spec;
            try {
                names = lines(Files.readString(file, StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new ConvkitException(from + ": cannot read " + file + " (" + e.getMessage() + "); give one class"
                        + " name per line");
            }
        } else {
            from = flag + " " + spec;
            names = new ArrayList<>();
            for (String s : spec.split(",", -1)) {
                names.add(s.strip());
            }
            if (names.stream().anyMatch(String::isEmpty)) {
                throw new ConvkitException(from + ": an empty name; give the names in order, as a,b,c (or @FILE with"
                        + " one per line, or " + IMAGENET + ")");
            }
        }
        if (names.isEmpty()) {
            throw new ConvkitException(from + ": no class names");
        }
        Set<String> seen = new HashSet<>();
        for (String n : names) {
            if (!seen.add(n)) {
                throw new ConvkitException(from + ": class '" + n + "' is named twice; each class needs a name of its"
                        + " own");
            }
        }
        if (names.size() == 1) {
            throw new ConvkitException(from + ": one class name; a classifier has at least two classes (give them"
                    + " all, in order, as a,b,c or @FILE, or " + IMAGENET + ")");
        }
        return List.copyOf(names);
    }

    /** torchvision's ImageNet-1k class names, in output order. */
    public static synchronized List<String> imagenet() {
        if (imagenet == null) {
            try (InputStream in = ClassNames.class.getResourceAsStream(IMAGENET_RESOURCE)) {
                if (in == null) {
                    throw new IllegalStateException(IMAGENET_RESOURCE + " is missing from the convkit jar");
                }
                imagenet = List.copyOf(lines(new String(in.readAllBytes(), StandardCharsets.UTF_8)));
            } catch (IOException e) {
                throw new IllegalStateException("cannot read " + IMAGENET_RESOURCE, e);
            }
        }
        return imagenet;
    }

    private static List<String> lines(String text) {
        List<String> out = new ArrayList<>();
        for (String line : text.split("\r?\n")) {
            if (!line.isBlank()) {
                out.add(line.strip());
            }
        }
        return out;
    }
}
