package org.convkit.data.source;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.convkit.core.ConvkitException;
import org.convkit.data.Skipped;

/**
 * Lists the image files under a folder the way torchvision's make_dataset does (recursive, links
 * followed, sorted by folder then file name) and sorts out what cannot be a sample.
 */
final class FileWalk {
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
            String name = f.getFileName().toString();
            String id = id(root, f);
            if (name.startsWith(".")) {
                skipped.add(new Skipped(split, id, f.toString(), "hidden file (name starts with '.')"));
                continue;
            }
            if (!ImageExtensions.accepted(f)) {
                skipped.add(new Skipped(split, id, f.toString(),
                        "not an image file name (accepted, as torchvision: " + String.join(" ", ImageExtensions.ACCEPTED) + ")"));
                continue;
            }
            long size;
            try {
                size = Files.size(f);
            } catch (IOException e) {
                skipped.add(new Skipped(split, id, f.toString(), "cannot read: " + e.getMessage()));
                continue;
            }
            if (size == 0) {
                skipped.add(new Skipped(split, id, f.toString(), "empty file (0 bytes)"));
                continue;
            }
            found.add(new Found(f, size));
        }
    }

    /** The sample id: the path below {@code root} without extension, with '/' separators. */
    static String id(Path root, Path file) {
        Path rel = root.relativize(file);
        String s = rel.toString().replace(java.io.File.separatorChar, '/');
        int slash = s.lastIndexOf('/');
        int dot = s.lastIndexOf('.');
        return dot > slash + 1 ? s.substring(0, dot) : s;
    }

    /** Hidden folders (.ipynb_checkpoints, .git) are never part of a dataset. */
    private static boolean insideHidden(Path top, Path p) {
        Path rel = top.relativize(p.getParent() == null ? p : p.getParent());
        for (Path part : rel) {
            if (part.toString().startsWith(".")) {
                return true;
            }
        }
        return false;
    }
}
