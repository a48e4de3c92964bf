package org.convkit.data.source;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.convkit.core.ConvkitException;
import org.convkit.data.Skipped;

/**
 * A folder of images without labels, for prediction: every image below it (recursively, sorted);
 * the id is the file name without extension, with the sub-folder path in front when nested
 * ("img_0001", "batch2/img_0001").
 */
public final class UnlabeledFolder {
    private UnlabeledFolder() {}

    /** @throws ConvkitException when the folder is missing or holds no image */
    public static FolderScan scan(Path root) {
        if (!Files.isDirectory(root)) {
            throw new ConvkitException(root + ": no such folder of images to predict");
        }
        List<FileWalk.Found> found = new ArrayList<>();
        List<Skipped> skipped = new ArrayList<>();
        FileWalk.walk(root, "predict", root, found, skipped);
        if (found.isEmpty()) {
            throw new ConvkitException("no images found in " + root + " (accepted: "
                    + String.join(" ", ImageExtensions.ACCEPTED) + ")"
                    + (skipped.isEmpty() ? "" : "; " + skipped.size() + " other file(s), e.g. " + skipped.get(0).file() + ": " + skipped.get(0).reason()));
        }
        List<FileEntry> entries = new ArrayList<>();
        long bytes = 0;
        for (FileWalk.Found f : found) {
            entries.add(new FileEntry(f.file(), FileWalk.id(root, f.file()), new int[0]));
            bytes += f.size();
        }
        return new FolderScan(entries, List.of(), skipped, List.of(), bytes);
    }

    /** The folder as a source (skipped files are in {@link #scan}'s result). */
    public static FileSource open(Path root) {
        return new FileSource(scan(root).entries(), List.of(), "unlabeled folder " + root);
    }
}
