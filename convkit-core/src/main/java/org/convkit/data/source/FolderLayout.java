package org.convkit.data.source;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * How one folder of images carries its labels, and why that answer: class folders
 * (torchvision's ImageFolder), file names ({@code --labels-from}), or none — a flat folder of
 * unlabeled images, such as Kaggle's {@code test1/} or Tianchi's {@code mchar_test_a/}, which
 * {@code predict} reads and training leaves out.
 */
public final class FolderLayout {
    private FolderLayout() {}

    /**
     * What a folder turned out to be.
     *
     * @param labeled the labeled images, or null
     * @param unlabeled the images without labels, or null (exactly one of the two is set)
     * @param why one line for {@code data inspect}: what was recognised and from what
     */
    public record Read(FolderScan labeled, FolderScan unlabeled, String why) {}

    /**
     * Reads {@code folder}: with {@code names} every image is labeled by its file name (class
     * folders do not count); else class folders when it has sub-folders; else its images are
     * unlabeled (and {@code why} suggests a {@code --labels-from} preset when every name fits one).
     *
     * @param split "train", "valid", "test", for the skipped list
     * @param classes the classes to use (the train split's, or {@code --class-names}), or null
     * @param names {@code --labels-from}, or null
     * @throws org.convkit.core.ConvkitException when the folder holds no image at all
     */
    public static Read read(Path folder, String split, List<String> classes, FileNameLabels names) {
        String where = folder.getFileName() + "/";
        if (names != null) {
            FolderScan scan = names.scan(folder, split, classes);
            if (!scan.entries().isEmpty()) {
                long unmatched = scan.skipped().stream().filter(s -> s.reason().startsWith("file name does not match")).count();
                return new Read(scan, null, where + " labels from file names (--labels-from " + names.spec() + "): "
                        + scan.entries().size() + " images, " + scan.classes().size() + " classes"
                        + (unmatched > 0 ? "; " + unmatched + " names do not match (listed as skipped)" : ""));
            }
            FolderScan none = UnlabeledFolder.scan(folder);
            return new Read(null, none, where + " " + none.entries().size() + " images, no name matches --labels-from "
                    + names.spec() + ": unlabeled");
        }
        if (!ImageFolder.findClasses(folder).isEmpty()) {
            FolderScan scan = ImageFolder.scan(folder, split, classes);
            return new Read(scan, null, where + " class folders (ImageFolder): " + scan.entries().size() + " images, "
                    + scan.classes().size() + " classes");
        }
        FolderScan flat = UnlabeledFolder.scan(folder);
        List<String> fileNames = flat.entries().stream().map(e -> e.file().getFileName().toString()).toList();
        String preset = FileNameLabels.suggest(fileNames);
        String why = where + " " + flat.entries().size() + " images in one folder, no class folders: unlabeled";
        if (preset != null) {
            Map<String, Integer> counts = FileNameLabels.parse(preset).counts(fileNames);
            why += "; their names look like " + preset + " (" + abbreviate(counts) + "): to label them by name, add"
                    + " --labels-from " + preset;
        }
        return new Read(null, flat, why);
    }

    private static String abbreviate(Map<String, Integer> counts) {
        String shown = counts.entrySet().stream().limit(6).map(e -> e.getKey() + " " + e.getValue())
                .collect(Collectors.joining(", "));
        return counts.size() > 6 ? shown + ", ... " + counts.size() + " labels" : shown;
    }
}
