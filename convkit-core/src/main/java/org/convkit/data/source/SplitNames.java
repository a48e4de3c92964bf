package org.convkit.data.source;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.convkit.core.ConvkitException;

/**
 * The one rule that tells which split a folder or a label file holds, by its name: {@code train},
 * {@code training}, {@code valid}, {@code val}, {@code validation}, {@code test}, {@code testing},
 * {@code evaluation} (Food-11), optionally behind a prefix ({@code mchar_train}, {@code mchar_val})
 * and followed by a short tag ({@code test1} of Kaggle's Dogs vs Cats, {@code mchar_test_a} of
 * Tianchi's street numbers). Folders and label files ({@code train.csv}, {@code mchar_val.json})
 * use the same rule, so a dataset root reads the same whichever form its splits take.
 */
public final class SplitNames {
    /** The split names in the order datasets list them. */
    public static final List<String> SPLITS = List.of("train", "valid", "test");

    private static final Pattern NAME = Pattern.compile(
            "(?:.*[_\\-.])?(train|training|valid|val|validation|test|testing|evaluation)(?:[_\\-](?:[a-z]|\\d{1,4})|\\d{1,4})?");

    private SplitNames() {}

    /** "train", "valid", "test", or null when {@code name} (without extension) names no split. */
    public static String of(String name) {
        Matcher m = NAME.matcher(name.toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            return null;
        }
        return switch (m.group(1)) {
            case "train", "training" -> "train";
            case "test", "testing", "evaluation" -> "test";
            default -> "valid";
        };
    }

    /**
     * The sub-folders of {@code root} named by split (keys train, valid, test in that order), chosen
     * as {@link #inFolder} says ({@code test} before {@code test1}, {@code mchar_test_a} before
     * {@code mchar_test_b}); hidden folders are none.
     */
    public static Map<String, Path> folders(Path root) {
        return inFolder(root, p -> !p.getFileName().toString().startsWith(".") && Files.isDirectory(p),
                p -> p.getFileName().toString());
    }

    /**
     * The {@code candidate} entries of {@code dir} (folders, or label files) by the split their names
     * say, keys train, valid, test in that order; when several say the same split, the shortest
     * name wins, then the first file name in sorted order. One choice for folders and label files.
     *
     * @param nameOf the name that says the split: a folder's name, a label file's without extension
     */
    static Map<String, Path> inFolder(Path dir, Predicate<Path> candidate, Function<Path, String> nameOf) {
        Map<String, Path> found = new LinkedHashMap<>();
        Comparator<Path> preference = Comparator.comparingInt((Path p) -> nameOf.apply(p).length())
                .thenComparing(p -> p.getFileName().toString());
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                String split = candidate.test(p) ? of(nameOf.apply(p)) : null;
                if (split != null) {
                    found.merge(split, p, (a, b) -> preference.compare(a, b) <= 0 ? a : b);
                }
            }
        } catch (IOException e) {
            throw new ConvkitException("cannot list " + dir + ": " + e.getMessage(), e);
        }
        Map<String, Path> ordered = new LinkedHashMap<>();
        for (String s : SPLITS) {
            if (found.containsKey(s)) {
                ordered.put(s, found.get(s));
            }
        }
        return ordered;
    }
}
