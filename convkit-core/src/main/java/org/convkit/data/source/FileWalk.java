package org.convkit.data.source;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import org.convkit.core.ConvkitException;
import org.convkit.data.Skipped;

/**
 * Lists the image files under a folder the way torchvision's make_dataset does (recursive, links
 * followed, sorted by folder then file name) and sorts out what cannot be a sample.
 *
 * <p>The rule of which files are samples ({@link #reason}, {@link #insideHiddenFolder}) and how a
 * file's id is made ({@link #id(String)}) are public so that a listing of another file system (the
 * Spark jobs list HDFS, S3 or a local folder through Hadoop's FileSystem) applies exactly this
 * rule: one rule for ImageFolder, predict and Spark.
 */
public final class FileWalk {
    private FileWalk() {}

    /** One usable file and its size. */
    record Found(Path file, long size) {}

    /**
     * @param dir the folder to walk
     * @param split for the skipped entries
     * @param root ids are relative to it
     * @param found usable images are added here
     * @param skipped everything else that is a regular file is added here, with a reason
     */
    static void walk(Path dir, String split, Path root, List<Found> found, List<Skipped> skipped) {
        List<Path> files = new ArrayList<>();
        try (Stream<Path> s = Files.walk(dir, FileVisitOption.FOLLOW_LINKS)) {
            s.filter(p -> !p.equals(dir)).forEach(p -> {
                if (Files.isRegularFile(p) && !insideHidden(dir, p)) {
                    files.add(p);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            throw new ConvkitException("cannot list " + dir + ": " + e.getMessage() + ". Check the folder's permissions.", e);
        }
        // torchvision: sorted(os.walk(...)), then sorted(file names) in each folder
        files.sort(Comparator.comparing((Path p) -> p.getParent().toString()).thenComparing(p -> p.getFileName().toString()));
        for (Path f : files) {
            long size = usableSize(f, id(root, f), split, skipped, FileWalk::reason);
            if (size >= 0) {
                found.add(new Found(f, size));
            }
        }
    }

    /**
     * {@code file}'s size when {@code rule} (by file name and size, {@link #reason} or {@link
     * #unusable}) finds it usable; otherwise -1, the reason (or why its size cannot be read) added
     * to {@code skipped}. The name is judged first, so no size is read for a file that is no image.
     */
    static long usableSize(Path file, String id, String split, List<Skipped> skipped, BiFunction<String, Long, String> rule) {
        String name = file.getFileName().toString();
        String reason = rule.apply(name, 1L);
        long size = 0;
        if (reason == null) {
            try {
                size = Files.size(file);
                reason = rule.apply(name, size);
            } catch (IOException e) {
                reason = "cannot read: " + e.getMessage();
            }
        }
        if (reason != null) {
            skipped.add(new Skipped(split, id, file.toString(), reason));
            return -1;
        }
        return size;
    }

    /**
     * Why a file cannot be a sample, or null when it is one: hidden, not an image file name
     * ({@link ImageExtensions}), or empty.
     *
     * @param name the file name (no folder)
     * @param size its size in bytes
     */
    public static String reason(String name, long size) {
        if (name.startsWith(".")) {
            return "hidden file (name starts with '.')";
        }
        return unusable(name, size);
    }

    /**
     * Why a file, wherever it was found (listed in a folder, named in a label file), cannot be an
     * image sample: not an image file name ({@link ImageExtensions}), or empty; null when it can.
     */
    static String unusable(String name, long size) {
        if (!ImageExtensions.accepted(name)) {
            return "not an image file name (accepted, as torchvision: " + String.join(" ", ImageExtensions.ACCEPTED) + ")";
        }
        if (size == 0) {
            return "empty file (0 bytes)";
        }
        return null;
    }

    /** The sample id: the path below {@code root} without extension, with '/' separators. */
    static String id(Path root, Path file) {
        return id(root.relativize(file).toString().replace(java.io.File.separatorChar, '/'));
    }

    /**
     * The sample id of a file: its path below the listed folder without the extension
     * ("cat/0001.jpg" -> "cat/0001").
     *
     * @param relativePath the path below the folder, '/'-separated
     */
    public static String id(String relativePath) {
        int slash = relativePath.lastIndexOf('/');
        int dot = relativePath.lastIndexOf('.');
        return dot > slash + 1 ? relativePath.substring(0, dot) : relativePath;
    }

    /**
     * Whether a file lies in a hidden folder (.ipynb_checkpoints, .git): those are never part of a
     * dataset.
     *
     * @param relativePath the file's path below the listed folder, '/'-separated
     */
    public static boolean insideHiddenFolder(String relativePath) {
        String[] parts = relativePath.split("/");
        for (int i = 0; i < parts.length - 1; i++) {
            if (parts[i].startsWith(".")) {
                return true;
            }
        }
        return false;
    }

    private static boolean insideHidden(Path top, Path p) {
        return insideHiddenFolder(top.relativize(p).toString().replace(java.io.File.separatorChar, '/'));
    }
}
