package org.convkit.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.convkit.core.ConvkitException;
import org.convkit.data.fetch.NamedDatasets;
import org.convkit.data.shard.Manifest;
import org.convkit.data.shard.ShardSource;
import org.convkit.data.source.CifarBinary;
import org.convkit.data.source.CsvLabels;
import org.convkit.data.source.FileSource;
import org.convkit.data.source.FolderScan;
import org.convkit.data.source.Idx;
import org.convkit.data.source.ImageFolder;
import org.convkit.data.source.LabelFiles;
import org.convkit.data.source.PixelArraySource;
import org.convkit.data.source.RawSplit;
import org.convkit.data.source.Splits;
import org.convkit.data.source.StreetNumberLabels;
import org.convkit.data.source.SubsetSource;
import org.convkit.data.source.UnlabeledFolder;

/**
 * One entry point for every dataset: {@link #open} takes a name ({@code fashion-mnist}, {@code
 * mnist}, {@code cifar10}) or a path and finds out what it is.
 *
 * <p>A folder is, in this order: a shard folder (manifest.json), IDX files, CIFAR binary batches,
 * label files named by split (train.csv, mchar_val.json ...), the split layout
 * (train/valid|val/test folders of class folders), or one ImageFolder tree (root/&lt;class&gt;/*). A
 * file is a CSV or Tianchi JSON label file. Without a validation split on disk, {@code
 * --valid-split} of train is held out (stratified, seeded).
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
        Parts parts = Files.isDirectory(path) ? openFolder(path, name, options) : openLabelFile(path, options);
        return holdOutValidation(parts, options);
    }

    /** A folder of images to predict (no labels); its left-out files are in {@link UnlabeledFolder#scan}. */
    public static FileSource unlabeled(Path folder) {
        return UnlabeledFolder.open(folder);
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
            return openShards(dir, p);
        }
        Map<String, Idx.Pair> idx = Idx.find(dir);
        if (!idx.isEmpty()) {
            p.classes = idxClasses(p.name, dir, o);
            for (var e : idx.entrySet()) {
                p.add(e.getKey(), Idx.read(e.getValue(), p.classes, e.getKey()));
            }
            PixelArraySource any = pixels(p.splits.values().iterator().next());
            p.channels = 1;
            p.width = any.width();
            p.height = any.height();
            return p;
        }
        CifarBinary.Layout cifar = CifarBinary.find(dir);
        if (cifar != null) {
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
        Map<String, Path> files = LabelFiles.splitFiles(dir);
        Map<String, Path> folders = ImageFolder.splitFolders(dir);
        if (files.containsKey("train") || (folders.isEmpty() && !files.isEmpty())) {
            return openLabelFiles(files, p, o);
        }
        if (!folders.isEmpty()) {
            Path train = folders.get("train");
            List<String> classes = train != null ? ImageFolder.findClasses(train) : null;
            for (var e : folders.entrySet()) {
                FolderScan scan = ImageFolder.scan(e.getValue(), e.getKey(), classes);
                classes = scan.classes();
                p.add(e.getKey(), scan, "ImageFolder " + e.getValue());
            }
            p.classes = classes;
            return p;
        }
        FolderScan scan = ImageFolder.scan(dir, "train", null);
        p.classes = scan.classes();
        p.add("train", scan, "ImageFolder " + dir);
        return p;
    }

    private static Parts openLabelFile(Path file, OpenOptions o) {
        if (!LabelFiles.isLabelFile(file)) {
            throw new ConvkitException(file + ": not a dataset. Give a folder (ImageFolder, IDX, CIFAR binary, shards),"
                    + " a .csv (path,label) or .json (Tianchi street numbers) label file, or one of " + String.join(", ", NamedDatasets.NAMES));
        }
        Parts p = new Parts();
        p.name = file.getFileName().toString();
        Map<String, Path> one = new LinkedHashMap<>();
        one.put("train", file);
        return openLabelFiles(one, p, o);
    }

    /** Label files by split: train first, so valid and test use its classes (CSV) and K (JSON). */
    private static Parts openLabelFiles(Map<String, Path> files, Parts p, OpenOptions o) {
        boolean json = files.values().iterator().next().getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".json");
        if (json) {
            int k = o.heads();
            for (Path f : files.values()) {
                if (!StreetNumberLabels.matches(f)) {
                    throw new ConvkitException(f + ": not a street-number label file; expected {\"000000.png\": {\"label\": [1, 9], ...}, ...}");
                }
                if (o.heads() == 0) {
                    k = Math.max(k, StreetNumberLabels.longest(f));
                }
            }
            p.heads = k;
            p.classes = StreetNumberLabels.CLASSES;
            for (var e : files.entrySet()) {
                p.add(e.getKey(), StreetNumberLabels.read(e.getValue(), LabelFiles.imageDir(e.getValue(), o.images()), k, e.getKey()),
                        "labels " + e.getValue());
            }
            return p;
        }
        List<String> classes = o.classes();
        for (var e : files.entrySet()) {
            FolderScan scan = CsvLabels.read(e.getValue(), LabelFiles.imageDir(e.getValue(), o.images()), classes, e.getKey());
            classes = scan.classes();
            p.add(e.getKey(), scan, "labels " + e.getValue());
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
            throw new ConvkitException(p.name + ": no split found");
        }
        return new Dataset(p.name, p.classes, train, valid, p.splits.get("test"), p.channels, p.width, p.height, p.heads, p.bytes,
                List.copyOf(p.skipped), List.copyOf(p.warnings));
    }

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
