package org.convkit.data.source;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.convkit.core.ConvkitException;
import org.convkit.data.Skipped;

/**
 * torchvision's ImageFolder layout, {@code root/<class>/**}: classes are the sorted folder names
 * (index = position), files are listed recursively and sorted; plus the split layout {@code
 * root/{train,valid|val,test}/<class>/...} (split names as {@link SplitNames} says).
 *
 * <p>Unlike torchvision, hidden folders (.ipynb_checkpoints) are not classes, and files that
 * cannot be samples (zero bytes, other extensions, hidden) are listed in {@link
 * FolderScan#skipped()} instead of being ignored silently or failing later.
 */
public final class ImageFolder {
    private ImageFolder() {}

    /**
     * The split folders under {@code root} (keys "train", "valid", "test"; named as {@link
     * SplitNames} says), empty when root is not in the split layout. A split layout needs a train
     * folder, or at least two split folders.
     */
    public static Map<String, Path> splitFolders(Path root) {
        Map<String, Path> out = SplitNames.folders(root);
        if (out.containsKey("train") || out.size() >= 2) {
            return out;
        }
        return Map.of();
    }

    /** The class folder names under {@code root}, sorted as torchvision's find_classes does. */
    public static List<String> findClasses(Path root) {
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(root)) {
            for (Path p : ds) {
                String name = p.getFileName().toString();
                if (Files.isDirectory(p) && !name.startsWith(".")) {
                    names.add(name);
                }
            }
        } catch (IOException e) {
            throw new ConvkitException("cannot list " + root + ": " + e.getMessage(), e);
        }
        names.sort(null);
        return names;
    }

    /**
     * Reads one split folder.
     *
     * @param root the split folder, holding one folder per class
     * @param split "train", "valid", "test", for the skipped list
     * @param classes the classes to use (the train split's, so indices agree across splits), or
     *     {@code null} for this folder's own sorted class folders
     * @throws ConvkitException when there is no image at all in {@code root}
     */
    public static FolderScan scan(Path root, String split, List<String> classes) {
        if (!Files.isDirectory(root)) {
            throw new ConvkitException(root + ": no such folder. Expected an ImageFolder tree root/<class>/<image>.");
        }
        List<String> own = findClasses(root);
        List<String> cls = classes == null ? own : classes;
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < cls.size(); i++) {
            index.put(cls.get(i), i);
        }
        List<FileEntry> entries = new ArrayList<>();
        List<Skipped> skipped = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        long bytes = 0;
        // files lying directly in root belong to no class
        List<FileWalk.Found> loose = new ArrayList<>();
        List<Skipped> looseSkipped = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(root, Files::isRegularFile)) {
            for (Path p : ds) {
                looseSkipped.add(new Skipped(split, p.getFileName().toString(), p.toString(),
                        "not inside a class folder (expected " + root + "/<class>/" + p.getFileName() + ")"));
            }
        } catch (IOException e) {
            throw new ConvkitException("cannot list " + root + ": " + e.getMessage(), e);
        }
        for (String c : own) {
            Path dir = root.resolve(c);
            List<FileWalk.Found> found = new ArrayList<>();
            FileWalk.walk(dir, split, root, found, skipped);
            Integer label = index.get(c);
            if (label == null) {
                for (FileWalk.Found f : found) {
                    skipped.add(new Skipped(split, FileWalk.id(root, f.file()), f.file().toString(),
                            "class folder '" + c + "' is not one of the training classes"));
                }
                warnings.add(split + ": class folder " + dir + " is not a training class; its " + found.size() + " images are skipped");
                continue;
            }
            if (found.isEmpty()) {
                warnings.add(split + ": class '" + c + "' has no images (folder " + dir + ")");
            }
            for (FileWalk.Found f : found) {
                entries.add(new FileEntry(f.file(), FileWalk.id(root, f.file()), new int[] {label}));
                bytes += f.size();
            }
        }
        skipped.addAll(0, looseSkipped);
        if (entries.isEmpty()) {
            throw new ConvkitException(noImages(root, own, skipped));
        }
        return new FolderScan(entries, cls, skipped, warnings, bytes);
    }

    private static String noImages(Path root, List<String> classes, List<Skipped> skipped) {
        StringBuilder sb = new StringBuilder("no images found in " + root + ": ");
        if (classes.isEmpty()) {
            sb.append("it has no class folders. Expected root/<class>/<image> (e.g. ")
                    .append(root.resolve("cat/0001.jpg"))
                    .append("); for unlabeled images use predict.");
        } else {
            sb.append("its class folders (").append(String.join(", ", classes.subList(0, Math.min(5, classes.size()))))
                    .append(classes.size() > 5 ? ", ..." : "")
                    .append(") hold no files with an image extension (")
                    .append(String.join(" ", ImageExtensions.ACCEPTED))
                    .append(").");
        }
        if (!skipped.isEmpty()) {
            sb.append(" ").append(skipped.size()).append(" file(s) were left out, e.g. ")
                    .append(skipped.get(0).file()).append(": ").append(skipped.get(0).reason());
        }
        return sb.toString();
    }
}
