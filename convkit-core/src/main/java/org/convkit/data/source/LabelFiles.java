package org.convkit.data.source;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.convkit.core.ConvkitException;
import org.convkit.data.Skipped;

/**
 * What label files (CSV, Tianchi JSON) have in common: finding them by split in a folder, finding
 * the images they name, and rejecting entries whose file is missing, empty or not an image.
 */
public final class LabelFiles {
    private LabelFiles() {}

    public static boolean isLabelFile(Path p) {
        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return Files.isRegularFile(p) && (n.endsWith(".csv") || n.endsWith(".json"));
    }

    /**
     * Label files named by split in {@code dir} ("train.csv", "mchar_val.json", named as {@link
     * SplitNames} says); keys train/valid/test.
     */
    public static Map<String, Path> splitFiles(Path dir) {
        Map<String, Path> out = new LinkedHashMap<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                String split = isLabelFile(p) ? SplitNames.of(ImageExtensions.stem(p)) : null;
                if (split != null) {
                    out.merge(split, p, (a, b) -> a.compareTo(b) <= 0 ? a : b);
                }
            }
        } catch (IOException e) {
            throw new ConvkitException("cannot list " + dir + ": " + e.getMessage(), e);
        }
        Map<String, Path> ordered = new LinkedHashMap<>();
        for (String s : List.of("train", "valid", "test")) {
            if (out.containsKey(s)) {
                ordered.put(s, out.get(s));
            }
        }
        return ordered;
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
        if (!ImageExtensions.accepted(file)) {
            skipped.add(new Skipped(split, id, file.toString(),
                    "not an image file name (accepted: " + String.join(" ", ImageExtensions.ACCEPTED) + ")"));
            return -1;
        }
        try {
            long size = Files.size(file);
            if (size == 0) {
                skipped.add(new Skipped(split, id, file.toString(), "empty file (0 bytes)"));
                return -1;
            }
            return size;
        } catch (IOException e) {
            skipped.add(new Skipped(split, id, file.toString(), "cannot read: " + e.getMessage()));
            return -1;
        }
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

    /** The id of a named image: its path as written, without extension. */
    static String id(String name) {
        String s = name.replace('\\', '/');
        int slash = s.lastIndexOf('/');
        int dot = s.lastIndexOf('.');
        return dot > slash + 1 ? s.substring(0, dot) : s;
    }
}
