package org.convkit.data.source;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.convkit.core.ConvkitException;
import org.convkit.core.Json;
import org.convkit.data.Skipped;

/**
 * What label files (CSV, Tianchi JSON) have in common: finding them by split in a folder, finding
 * the images they name, and rejecting entries whose file is missing, empty or not an image.
 */
public final class LabelFiles {
    private LabelFiles() {}

    /**
     * The root of the JSON file {@code json} when it is a non-empty object, else null (an array, an
     * empty object, not JSON, unreadable): what every JSON label format is, before each format's own
     * test of its entries ({@link JsonMapLabels#matches}, {@link StreetNumberLabels#matches}).
     */
    static JsonNode nonEmptyObject(Path json) {
        try {
            JsonNode root = Json.mapper().readTree(json.toFile());
            return root != null && root.isObject() && !root.isEmpty() ? root : null;
        } catch (IOException e) {
            return null;
        }
    }

    public static boolean isLabelFile(Path p) {
        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return Files.isRegularFile(p) && (n.endsWith(".csv") || n.endsWith(".json"));
    }

    /**
     * Label files named by split in {@code dir} ("train.csv", "mchar_val.json", named as {@link
     * SplitNames} says, and chosen as it chooses among split folders); keys train/valid/test.
     */
    public static Map<String, Path> splitFiles(Path dir) {
        return SplitNames.inFolder(dir, LabelFiles::isLabelFile, ImageExtensions::stem);
    }

    /**
     * The folder the label file's paths are relative to: {@code images} when given, else a
     * sibling folder named like the label file ("mchar_train.json" -> "mchar_train/"), else the
     * label file's own folder.
     */
    public static Path imageDir(Path labelFile, Path images) {
        if (images != null) {
            if (!Files.isDirectory(images)) {
                throw new ConvkitException("--images " + images + ": no such folder");
            }
            return images;
        }
        Path parent = labelFile.toAbsolutePath().getParent();
        Path sibling = parent.resolve(ImageExtensions.stem(labelFile));
        return Files.isDirectory(sibling) ? sibling : parent;
    }

    /**
     * The image a label file names, if it is usable: the path under {@code dir}; when the name has
     * no extension, the first accepted extension that exists ("id,label" files).
     *
     * @return the file's size, or -1 after adding a skipped entry
     */
    static long check(Path file, String id, String split, List<Skipped> skipped) {
        if (!Files.isRegularFile(file)) {
            skipped.add(new Skipped(split, id, file.toString(), "file not found (named in the label file)"));
            return -1;
        }
        return FileWalk.usableSize(file, id, split, skipped, FileWalk::unusable);
    }

    /** An image a label file names: its path as written, its label, and where the file says so (for the skipped list). */
    record Row(String name, String label, String where) {}

    /**
     * The images {@code rows} name, each with its class index: a label outside the classes ({@link
     * TextLabels#refusal}) or a file that is not usable ({@link #check}) goes to {@code skipped}
     * instead. The entries are empty when nothing was usable; the caller then says why, in its
     * format's words.
     *
     * @param classes the classes to use (the train split's or {@code --class-names}), or null to
     *     take them from the labels
     */
    static FolderScan scan(List<Row> rows, List<String> classes, Path imageDir, String split, List<Skipped> skipped) {
        TextLabels labels = new TextLabels(classes, rows.stream().map(Row::label).toList());
        List<FileEntry> entries = new ArrayList<>();
        long bytes = 0;
        for (Row r : rows) {
            String id = id(r.name());
            Integer c = labels.index(r.label());
            if (c == null) {
                skipped.add(new Skipped(split, id, r.where(), labels.refusal(r.label())));
                continue;
            }
            Path file = resolve(imageDir, r.name());
            long size = check(file, id, split, skipped);
            if (size >= 0) {
                entries.add(new FileEntry(file, id, new int[] {c}));
                bytes += size;
            }
        }
        return new FolderScan(entries, labels.classes(), skipped, List.of(), bytes);
    }

    /** {@code dir/name}, or {@code dir/name.<ext>} for names without an extension. */
    static Path resolve(Path dir, String name) {
        Path p = dir.resolve(name);
        if (Files.exists(p) || name.contains(".")) {
            return p;
        }
        for (String ext : ImageExtensions.ACCEPTED) {
            Path q = dir.resolve(name + ext);
            if (Files.isRegularFile(q)) {
                return q;
            }
        }
        return p;
    }

    /** The id of a named image: its path as written (backslashes read as '/'), without extension ({@link FileWalk#id(String)}). */
    static String id(String name) {
        return FileWalk.id(name.replace('\\', '/'));
    }
}
