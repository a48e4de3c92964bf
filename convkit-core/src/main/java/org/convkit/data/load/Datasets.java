package org.convkit.data.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.convkit.core.ConvkitException;
import org.convkit.data.Dataset;
import org.convkit.data.ImageSource;
import org.convkit.data.OpenOptions;
import org.convkit.data.Skipped;
import org.convkit.data.fetch.NamedDatasets;
import org.convkit.data.shard.Manifest;
import org.convkit.data.shard.ShardSource;
import org.convkit.data.source.CifarBinary;
import org.convkit.data.source.CsvLabels;
import org.convkit.data.source.FileNameLabels;
import org.convkit.data.source.FileSource;
import org.convkit.data.source.FolderLayout;
import org.convkit.data.source.FolderScan;
import org.convkit.data.source.Idx;
import org.convkit.data.source.ImageFolder;
import org.convkit.data.source.JsonMapLabels;
import org.convkit.data.source.LabelFiles;
import org.convkit.data.source.PixelArraySource;
import org.convkit.data.source.RawSplit;
import org.convkit.data.source.SplitNames;
import org.convkit.data.source.Splits;
import org.convkit.data.source.StreetNumberLabels;
import org.convkit.data.source.SubsetSource;
import org.convkit.data.source.UnlabeledFolder;

/**
 * One entry point for every dataset: {@link #open} takes a name ({@code fashion-mnist}, {@code
 * mnist}, {@code cifar10}) or a path and finds out what it is.
 *
 * <p>A folder is, in this order: a shard folder (manifest.json), IDX files, CIFAR binary batches,
 * label files named by split (train.csv, mchar_val.json ...), the split layout (train/valid|val/test
 * folders, named as {@link SplitNames} says: test1/, mchar_test_a/ ...), or one ImageFolder tree
 * (root/&lt;class&gt;/*). A folder of the split layout holds class folders, or images labeled by
 * their file names ({@code --labels-from}), or unlabeled images (a flat test1/): those are kept
 * apart ({@link Dataset#unlabeled()}) for predict. A file is a label file: CSV, Tianchi JSON or a
 * JSON map of file to label; {@code --labels FILE} gives one for a folder. Without a validation
 * split on disk, {@code --valid-split} of train is held out (stratified, seeded). What was
 * recognised, and why, is in {@link Dataset#layout()}.
 */
public final class Datasets {
    /** torchvision.datasets.FashionMNIST.classes */
    public static final List<String> FASHION_MNIST_CLASSES = List.of(
            "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

    /** torchvision.datasets.MNIST.classes */
    public static final List<String> MNIST_CLASSES = List.of(
            "0 - zero", "1 - one", "2 - two", "3 - three", "4 - four", "5 - five", "6 - six", "7 - seven", "8 - eight", "9 - nine");

    private Datasets() {}

    /**
     * Opens a dataset by name or path. Named datasets that are missing are fetched when {@code
     * options.acquire()} (Fashion-MNIST), saying what is done on stderr.
     *
     * @throws ConvkitException naming the file and what to do when it cannot be opened
     */
    public static Dataset open(String spec, OpenOptions options) {
        if (spec == null || spec.isBlank()) {
            throw new ConvkitException("--data is empty: give a folder, a label file or one of " + String.join(", ", NamedDatasets.NAMES));
        }
        Path path = Path.of(spec);
        String name = null;
        if (!Files.exists(path) && NamedDatasets.isName(spec)) {
            name = spec.toLowerCase(Locale.ROOT);
            path = NamedDatasets.ensure(name, options, System.err);
        }
        if (!Files.exists(path)) {
            throw new ConvkitException(spec + ": no such file or folder (and not one of the dataset names "
                    + String.join(", ", NamedDatasets.NAMES) + ")");
        }
        Parts parts;
        if (options.labels() != null) {
            parts = openGivenLabels(path, options);
        } else {
            parts = Files.isDirectory(path) ? openFolder(path, name, options) : openLabelFile(path, options);
        }
        return holdOutValidation(parts, options);
    }

    /** A folder of images to predict (no labels); its left-out files are in {@link UnlabeledFolder#scan}. */
    public static FileSource unlabeled(Path folder) {
        return UnlabeledFolder.open(folder);
    }

    /**
     * The folder {@code predict} reads for {@code input}: a dataset root (a train folder beside
     * other split folders, as {@link SplitNames} names them) gives its test folder ({@code test/}, Kaggle's {@code test1/},
     * Tianchi's {@code mchar_test_a/}; never train/), any other folder itself.
     *
     * @throws ConvkitException for a dataset root with a train folder but no test folder
     */
    public static Path toPredict(Path input) {
        if (!Files.isDirectory(input)) {
            return input;
        }
        Map<String, Path> splits = SplitNames.folders(input);
        if (!splits.containsKey("train")) {
            // a folder of images that happens to hold a test/ sub-folder is predicted whole
            return input;
        }
        if (splits.containsKey("test")) {
            return splits.get("test");
        }
        throw new ConvkitException(input + " is a dataset root (" + String.join(", ", splits.values().stream()
                .map(f -> f.getFileName() + "/").toList()) + ") without a test folder: give the folder of images to"
                + " predict");
    }

    /** Everything gathered while opening, before the validation split. */
    private static final class Parts {
        String name;
        List<String> classes;
        Map<String, ImageSource> splits = new LinkedHashMap<>();
        Integer channels;
        Integer width;
        Integer height;
        int heads = 1;
        long bytes;
        List<Skipped> skipped = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        Map<String, ImageSource> unlabeled = new LinkedHashMap<>();
        List<String> layout = new ArrayList<>();

        void add(String split, FolderScan scan, String what) {
            splits.put(split, new FileSource(scan.entries(), scan.classes(), what));
            skipped.addAll(scan.skipped());
            warnings.addAll(scan.warnings());
            bytes += scan.bytes();
        }

        void add(String split, RawSplit raw) {
            splits.put(split, raw.source());
            skipped.addAll(raw.skipped());
            bytes += raw.bytes();
        }
    }

    private static Parts openFolder(Path dir, String knownName, OpenOptions o) {
        Parts p = new Parts();
        p.name = knownName != null ? knownName : dir.toAbsolutePath().normalize().getFileName().toString();
        if (Manifest.present(dir)) {
            p.layout.add("shard folder (" + Manifest.FILE + ")");
            return openShards(dir, p);
        }
        FileNameLabels names = o.labelsFrom() != null ? FileNameLabels.parse(o.labelsFrom()) : null;
        Map<String, Idx.Pair> idx = names != null ? Map.of() : Idx.find(dir);
        if (!idx.isEmpty()) {
            p.layout.add("IDX files (MNIST format) for " + String.join(", ", idx.keySet()));
            p.classes = idxClasses(p.name, dir, o);
            if (p.classes == null) {
                p.classes = Idx.labelClasses(idx.values());
                p.layout.add("classes 0.." + (p.classes.size() - 1) + " from the labels (the path names neither"
                        + " mnist nor fashion; --class-names names them)");
            }
            for (var e : idx.entrySet()) {
                p.add(e.getKey(), Idx.read(e.getValue(), p.classes, e.getKey()));
            }
            PixelArraySource any = pixels(p.splits.values().iterator().next());
            p.channels = 1;
            p.width = any.width();
            p.height = any.height();
            return p;
        }
        CifarBinary.Layout cifar = names != null ? null : CifarBinary.find(dir);
        if (cifar != null) {
            p.layout.add("CIFAR binary batches");
            p.classes = CifarBinary.classes(cifar);
            if (!cifar.train().isEmpty()) {
                p.add("train", CifarBinary.read(cifar, cifar.train(), p.classes, "train", p.warnings));
            }
            if (!cifar.test().isEmpty()) {
                p.add("test", CifarBinary.read(cifar, cifar.test(), p.classes, "test", p.warnings));
            }
            p.channels = 3;
            p.width = 32;
            p.height = 32;
            return p;
        }
        Map<String, Path> files = names != null ? Map.of() : LabelFiles.splitFiles(dir);
        Map<String, Path> folders = ImageFolder.splitFolders(dir);
        if (files.containsKey("train") || (folders.isEmpty() && !files.isEmpty())) {
            openLabelFiles(files, p, o);
            // a split with images but no label file (Tianchi's mchar_test_a/) is there to predict
            for (var e : folders.entrySet()) {
                if (!files.containsKey(e.getKey()) && !isImageDirOf(e.getValue(), files, o)) {
                    FolderLayout.Read read = FolderLayout.read(e.getValue(), e.getKey(), p.classes, null);
                    if (read.unlabeled() != null) {
                        p.layout.add(read.why());
                        p.unlabeled.put(e.getKey(), unlabeledSource(e.getValue(), read));
                    } else {
                        p.layout.add(e.getValue().getFileName() + "/ left out: it has class folders but the labels come from "
                                + String.join(", ", files.values().stream().map(f -> f.getFileName().toString()).toList()));
                    }
                }
            }
            return p;
        }
        if (!folders.isEmpty()) {
            p.layout.add("split folders: " + String.join(", ", folders.values().stream().map(f -> f.getFileName() + "/").toList()));
            p.classes = o.classes();
            // train first (the map is ordered), so valid and test use its classes
            for (var e : folders.entrySet()) {
                readSplitFolder(e.getKey(), e.getValue(), p, names);
            }
            if (p.splits.isEmpty()) {
                throw new ConvkitException(dir + ": no labeled images (" + String.join("; ", p.layout) + ")");
            }
            return p;
        }
        FolderLayout.Read read = FolderLayout.read(dir, "train", o.classes(), names);
        p.layout.add(read.why());
        if (read.labeled() == null) {
            throw new ConvkitException(dir + ": no labeled images: " + read.why() + ". Expected class folders"
                    + " root/<class>/<image>, labels in the file names (--labels-from), or a label file (--labels FILE);"
                    + " for unlabeled images use predict.");
        }
        p.classes = read.labeled().classes();
        p.add("train", read.labeled(), (names != null ? "file names " : "ImageFolder ") + dir);
        return p;
    }

    /**
     * One folder of the split layout: labeled (class folders, or file names with {@code names})
     * joins the splits with {@code p.classes}; unlabeled is kept for predict.
     */
    private static void readSplitFolder(String split, Path folder, Parts p, FileNameLabels names) {
        FolderLayout.Read read = FolderLayout.read(folder, split, p.classes, names);
        p.layout.add(read.why());
        if (read.labeled() != null) {
            p.classes = read.labeled().classes();
            p.add(split, read.labeled(), (names != null ? "file names " : "ImageFolder ") + folder);
        } else {
            p.unlabeled.put(split, unlabeledSource(folder, read));
            if (split.equals("train")) {
                throw new ConvkitException(folder + ": the training folder has no labels (" + read.why() + ")");
            }
        }
    }

    private static FileSource unlabeledSource(Path folder, FolderLayout.Read read) {
        return new FileSource(read.unlabeled().entries(), List.of(), "unlabeled folder " + folder);
    }

    /** Whether {@code folder} holds the images of one of the label files (then it is not a split of its own). */
    private static boolean isImageDirOf(Path folder, Map<String, Path> files, OpenOptions o) {
        for (Path f : files.values()) {
            if (LabelFiles.imageDir(f, o.images()).toAbsolutePath().normalize().equals(folder.toAbsolutePath().normalize())) {
                return true;
            }
        }
        return false;
    }

    /**
     * {@code --labels FILE}: the labels of {@code path} come from that file (CSV, Tianchi JSON or a
     * JSON map); its split is the one its name says, else train. Images are relative to {@code
     * --images}, else to {@code path} when it is a folder, else as {@link LabelFiles#imageDir}.
     */
    private static Parts openGivenLabels(Path path, OpenOptions o) {
        Path file = o.labels();
        if (!Files.isRegularFile(file) || !LabelFiles.isLabelFile(file)) {
            throw new ConvkitException("--labels " + file + ": " + (Files.exists(file) ? "not a .csv or .json label file"
                    : "no such file") + "; give a CSV (path,label), a Tianchi JSON or a JSON map {\"file.jpg\": \"label\"}");
        }
        if (o.labelsFrom() != null) {
            throw new ConvkitException("--labels and --labels-from both give the labels; use one");
        }
        Parts p = new Parts();
        p.name = (Files.isDirectory(path) ? path.toAbsolutePath().normalize() : file).getFileName().toString();
        String split = SplitNames.of(org.convkit.data.source.ImageExtensions.stem(file));
        Map<String, Path> one = new LinkedHashMap<>();
        one.put(split != null ? split : "train", file);
        OpenOptions images = o.images() == null && Files.isDirectory(path) ? o.withImages(path) : o;
        p.layout.add("labels from --labels " + file + " (" + one.keySet().iterator().next() + " split)");
        return openLabelFiles(one, p, images);
    }

    private static Parts openLabelFile(Path file, OpenOptions o) {
        if (!LabelFiles.isLabelFile(file)) {
            throw new ConvkitException(file + ": not a dataset. Give a folder (ImageFolder, IDX, CIFAR binary, shards),"
                    + " a .csv (path,label) or .json (Tianchi street numbers, or a map of file to label) label file, or one of " + String.join(", ", NamedDatasets.NAMES));
        }
        Parts p = new Parts();
        p.name = file.getFileName().toString();
        Map<String, Path> one = new LinkedHashMap<>();
        one.put("train", file);
        return openLabelFiles(one, p, o);
    }

    /**
     * Label files by split: train first, so valid and test use its classes and K. JSON is Tianchi's
     * street numbers when its values carry a "label" array, else a map of file to label.
     */
    private static Parts openLabelFiles(Map<String, Path> files, Parts p, OpenOptions o) {
        Path first = files.values().iterator().next();
        boolean json = first.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".json");
        if (json && !JsonMapLabels.matches(first)) {
            int k = o.heads();
            for (Path f : files.values()) {
                if (!StreetNumberLabels.matches(f)) {
                    throw new ConvkitException(f + ": not a label file; expected Tianchi's {\"000000.png\": {\"label\": [1, 9], ...}, ...}"
                            + " or a map {\"cat.0.jpg\": \"cat\", ...}");
                }
                if (o.heads() == 0) {
                    k = Math.max(k, StreetNumberLabels.longest(f));
                }
            }
            p.heads = k;
            p.classes = StreetNumberLabels.CLASSES;
            for (var e : files.entrySet()) {
                Path images = LabelFiles.imageDir(e.getValue(), o.images());
                p.layout.add(e.getValue().getFileName() + ": Tianchi street-number JSON (" + k + " digit positions), images in " + images);
                p.add(e.getKey(), StreetNumberLabels.read(e.getValue(), images, k, e.getKey()), "labels " + e.getValue());
            }
            return p;
        }
        List<String> classes = o.classes();
        for (var e : files.entrySet()) {
            Path f = e.getValue();
            Path images = LabelFiles.imageDir(f, o.images());
            boolean map = f.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".json");
            if (map && !JsonMapLabels.matches(f)) {
                throw new ConvkitException(f + ": expected a map {\"cat.0.jpg\": \"cat\", ...} like " + first.getFileName());
            }
            FolderScan scan = map ? JsonMapLabels.read(f, images, classes, e.getKey()) : CsvLabels.read(f, images, classes, e.getKey());
            p.layout.add(f.getFileName() + ": " + (map ? "JSON map of file to label" : "CSV path,label") + ", images in " + images);
            classes = scan.classes();
            p.add(e.getKey(), scan, "labels " + f);
        }
        p.classes = classes;
        return p;
    }

    private static Parts openShards(Path dir, Parts p) {
        Manifest m = Manifest.read(dir);
        p.name = m.name();
        p.classes = m.classes();
        p.heads = m.heads();
        p.channels = m.channels();
        p.width = m.width();
        p.height = m.height();
        p.bytes = m.shardBytes();
        for (String split : m.splits().keySet()) {
            p.splits.put(split, ShardSource.open(dir, split));
        }
        return p;
    }

    private static Dataset holdOutValidation(Parts p, OpenOptions o) {
        ImageSource train = p.splits.get("train");
        ImageSource valid = p.splits.get("valid");
        if (valid == null && train != null && o.validSplit() > 0) {
            Splits.Split s;
            try {
                s = Splits.stratified(train, o.validSplit(), o.seed());
            } catch (IOException e) {
                throw new ConvkitException("cannot read the labels of " + train.describe() + ": " + e.getMessage(), e);
            }
            if (s.valid().length == 0) {
                p.warnings.add("train has " + train.size() + " samples: too few to hold out " + o.validSplit() + " for validation; no validation split");
            } else {
                String how = String.format(Locale.ROOT, "%.0f%% of train, stratified, seed %d", 100 * o.validSplit(), o.seed());
                valid = new SubsetSource(train, s.valid(), "valid: " + how);
                train = new SubsetSource(train, s.train(), "train: the rest");
            }
        }
        if (train == null && valid == null && p.splits.get("test") == null) {
            throw new ConvkitException(p.name + ": no split found" + (p.layout.isEmpty() ? "" : " (" + String.join("; ", p.layout) + ")"));
        }
        return new Dataset(p.name, p.classes, train, valid, p.splits.get("test"), p.channels, p.width, p.height, p.heads, p.bytes,
                List.copyOf(p.skipped), List.copyOf(p.warnings), p.unlabeled, p.layout);
    }

    /** --class-names, else torchvision's names when the path says fashion or mnist, else null (from the labels). */
    private static List<String> idxClasses(String name, Path dir, OpenOptions o) {
        if (o.classes() != null) {
            return o.classes();
        }
        String n = (name + " " + dir.toAbsolutePath()).toLowerCase(Locale.ROOT);
        if (n.contains("fashion")) {
            return FASHION_MNIST_CLASSES;
        }
        if (n.contains("mnist")) {
            return MNIST_CLASSES;
        }
        return null;
    }

    private static PixelArraySource pixels(ImageSource s) {
        return s instanceof SubsetSource sub ? pixels(sub.base()) : (PixelArraySource) s;
    }
}
