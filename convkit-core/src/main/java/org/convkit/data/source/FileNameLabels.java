package org.convkit.data.source;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.convkit.core.ConvkitException;
import org.convkit.data.Skipped;

/**
 * {@code --labels-from}: the label is a part of each image's file name, as fastai's {@code
 * from_name_re} reads it. A regular expression with one capture group is searched in the file
 * name (not the folders above it); the group is the label. Two named presets cover the usual
 * forms:
 *
 * <ul>
 *   <li>{@code class.N.ext}: Kaggle's Dogs vs Cats, {@code cat.0.jpg ... dog.12499.jpg};
 *   <li>{@code class_N.ext}: Food-11, {@code 3_117.jpg} (class 3), or {@code pad_thai_12.jpg}.
 * </ul>
 *
 * A label is a class name, or a class index when every label is a whole number (see {@link
 * TextLabels}). Files whose name does not match are listed as skipped, never dropped silently.
 */
public final class FileNameLabels {
    /** The presets by name, in the order they are tried when suggesting one. */
    public static final Map<String, String> PRESETS = presets();

    private final String spec;
    private final Pattern pattern;

    private FileNameLabels(String spec, Pattern pattern) {
        this.spec = spec;
        this.pattern = pattern;
    }

    private static Map<String, String> presets() {
        Map<String, String> m = new LinkedHashMap<>();
        // the label may hold dots or underscores itself ("golden.retriever.3.jpg", "pad_thai_12.jpg"):
        // greedy, so only the last number and extension are cut off
        m.put("class.N.ext", "^(.+)\\.\\d+\\.[^.]+$");
        m.put("class_N.ext", "^(.+)_\\d+\\.[^.]+$");
        return java.util.Collections.unmodifiableMap(m);
    }

    /**
     * A preset name or a regular expression with exactly one capture group.
     *
     * @throws ConvkitException naming {@code --labels-from} and what to give instead
     */
    public static FileNameLabels parse(String spec) {
        if (spec == null || spec.isBlank()) {
            throw new ConvkitException("--labels-from is empty; give a preset (" + String.join(", ", PRESETS.keySet())
                    + ") or a regular expression with one capture group, e.g. '^(.+)\\.\\d+\\.jpg$'");
        }
        String regex = PRESETS.getOrDefault(spec, spec);
        Pattern p;
        try {
            p = Pattern.compile(regex);
        } catch (PatternSyntaxException e) {
            throw new ConvkitException("--labels-from '" + spec + "': not a regular expression (" + e.getDescription()
                    + " near position " + e.getIndex() + "); or use a preset: " + String.join(", ", PRESETS.keySet()));
        }
        int groups = p.matcher("").groupCount();
        if (groups != 1) {
            throw new ConvkitException("--labels-from '" + spec + "': has " + groups + " capture groups; it needs exactly one,"
                    + " the label (write other groups as (?:...)), e.g. '^(.+)_\\d+\\.jpg$' labels pad_thai_12.jpg as pad_thai");
        }
        return new FileNameLabels(spec, p);
    }

    /** What was given: a preset name or the regular expression. */
    public String spec() {
        return spec;
    }

    /** The label in {@code fileName}, or null when the expression does not match it. */
    public String label(String fileName) {
        Matcher m = pattern.matcher(fileName);
        return m.find() && m.group(1) != null && !m.group(1).isEmpty() ? m.group(1) : null;
    }

    /**
     * The preset every one of {@code fileNames} matches with at least two labels, or null: what to
     * suggest for a folder of images without class folders (never applied without being asked).
     */
    public static String suggest(List<String> fileNames) {
        if (fileNames.isEmpty()) {
            return null;
        }
        for (String name : PRESETS.keySet()) {
            FileNameLabels p = parse(name);
            java.util.Set<String> labels = new java.util.HashSet<>();
            boolean all = true;
            for (String f : fileNames) {
                String l = p.label(f);
                if (l == null) {
                    all = false;
                    break;
                }
                labels.add(l);
            }
            if (all && labels.size() >= 2) {
                return name;
            }
        }
        return null;
    }

    /** Image count per label in {@code fileNames} (sorted by label), for messages. */
    public Map<String, Integer> counts(List<String> fileNames) {
        Map<String, Integer> out = new TreeMap<>();
        for (String f : fileNames) {
            String l = label(f);
            if (l != null) {
                out.merge(l, 1, Integer::sum);
            }
        }
        return out;
    }

    /**
     * Every image below {@code root} (recursively, sorted as {@link FileWalk} lists them), labeled
     * by its file name.
     *
     * @param classes the classes to use (the train split's, or {@code --class-names}), or null to
     *     take them from the names
     * @param split for the skipped list
     * @return the scan; its entries are empty when no name matches (the caller decides whether
     *     that is an error or an unlabeled folder)
     */
    public FolderScan scan(Path root, String split, List<String> classes) {
        List<FileWalk.Found> found = new ArrayList<>();
        List<Skipped> skipped = new ArrayList<>();
        FileWalk.walk(root, split, root, found, skipped);
        List<String> labels = new ArrayList<>();
        List<FileWalk.Found> matched = new ArrayList<>();
        for (FileWalk.Found f : found) {
            String l = label(f.file().getFileName().toString());
            if (l == null) {
                skipped.add(new Skipped(split, FileWalk.id(root, f.file()), f.file().toString(),
                        "file name does not match --labels-from " + spec));
            } else {
                labels.add(l);
                matched.add(f);
            }
        }
        TextLabels text = new TextLabels(classes, labels);
        List<FileEntry> entries = new ArrayList<>();
        long bytes = 0;
        for (int i = 0; i < matched.size(); i++) {
            FileWalk.Found f = matched.get(i);
            Integer c = text.index(labels.get(i));
            if (c == null) {
                skipped.add(new Skipped(split, FileWalk.id(root, f.file()), f.file().toString(), text.refusal(labels.get(i))));
                continue;
            }
            entries.add(new FileEntry(f.file(), FileWalk.id(root, f.file()), new int[] {c}));
            bytes += f.size();
        }
        return new FolderScan(entries, text.classes(), skipped, List.of(), bytes);
    }
}
