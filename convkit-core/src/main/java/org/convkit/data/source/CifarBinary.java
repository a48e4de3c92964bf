package org.convkit.data.source;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.convkit.core.ConvkitException;

/**
 * The "binary version" of CIFAR-10 ({@code data_batch_1..5.bin}, {@code test_batch.bin}: records of
 * 1 label byte + 3072 pixel bytes) and CIFAR-100 ({@code train.bin}, {@code test.bin}: coarse
 * label byte, fine label byte, 3072 pixel bytes). Pixels are stored as three 32x32 planes (R, G,
 * B) and become HWC here. CIFAR-100 uses the 100 fine labels.
 */
public final class CifarBinary {
    private static final int SIDE = 32;
    private static final int PIXELS = SIDE * SIDE * 3;
    private static final int PER_BATCH = 10000;
    private static final Pattern BATCH = Pattern.compile("data_batch_(\\d+)\\.bin");
    /** torchvision.datasets.CIFAR10 classes, used when batches.meta.txt is missing. */
    static final List<String> CIFAR10_CLASSES =
            List.of("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck");

    private CifarBinary() {}

    /** Which CIFAR and where: {@code dir} holds the .bin files. */
    public record Layout(Path dir, boolean cifar100, List<Path> train, List<Path> test) {}

    /** The layout in {@code dir} or its cifar-10-batches-bin / cifar-100-binary folder, or null. */
    public static Layout find(Path dir) {
        for (Path d : List.of(dir, dir.resolve("cifar-10-batches-bin"), dir.resolve("cifar-100-binary"))) {
            if (!Files.isDirectory(d)) {
                continue;
            }
            List<Path> batches = new ArrayList<>();
            try (var s = Files.list(d)) {
                s.filter(p -> BATCH.matcher(p.getFileName().toString()).matches()).forEach(batches::add);
            } catch (IOException e) {
                throw new ConvkitException("cannot list " + d + ": " + e.getMessage(), e);
            }
            batches.sort((a, b) -> Integer.compare(batchNumber(a), batchNumber(b)));
            Path test10 = d.resolve("test_batch.bin");
            if (!batches.isEmpty() || Files.isRegularFile(test10)) {
                return new Layout(d, false, batches, Files.isRegularFile(test10) ? List.of(test10) : List.of());
            }
            Path train100 = d.resolve("train.bin");
            Path test100 = d.resolve("test.bin");
            if (Files.isRegularFile(train100) || Files.isRegularFile(test100)) {
                return new Layout(d, true, Files.isRegularFile(train100) ? List.of(train100) : List.of(),
                        Files.isRegularFile(test100) ? List.of(test100) : List.of());
            }
        }
        return null;
    }

    /** The class names from batches.meta.txt / fine_label_names.txt, else the standard ones. */
    public static List<String> classes(Layout layout) {
        Path meta = layout.dir().resolve(layout.cifar100() ? "fine_label_names.txt" : "batches.meta.txt");
        if (Files.isRegularFile(meta)) {
            try {
                List<String> names = new ArrayList<>();
                for (String line : Files.readAllLines(meta, StandardCharsets.UTF_8)) {
                    if (!line.isBlank()) {
                        names.add(line.trim());
                    }
                }
                if (!names.isEmpty()) {
                    return names;
                }
            } catch (IOException e) {
                throw new ConvkitException("cannot read " + meta + ": " + e.getMessage(), e);
            }
        }
        return layout.cifar100() ? Idx.digits(100) : CIFAR10_CLASSES;
    }

    /**
     * Reads the files of one split into memory.
     *
     * @param split "train" or "test": ids are "train-00042"
     * @param warnings gets a line when a batch holds fewer than 10000 records (CIFAR-10)
     */
    public static RawSplit read(Layout layout, List<Path> files, List<String> classes, String split, List<String> warnings) {
        int record = (layout.cifar100() ? 2 : 1) + PIXELS;
        long total = 0;
        for (Path f : files) {
            long size = size(f);
            if (size == 0 || size % record != 0) {
                throw new ConvkitException(f + ": truncated or not a CIFAR" + (layout.cifar100() ? "-100" : "-10") + " binary file: "
                        + size + " bytes is not a whole number of " + record + "-byte records"
                        + " (a full batch is " + (long) record * PER_BATCH + " bytes). Download it again.");
            }
            if (!layout.cifar100() && size != (long) record * PER_BATCH) {
                warnings.add(f + " holds " + size / record + " images, CIFAR-10 batches hold " + PER_BATCH);
            }
            total += size / record;
        }
        if (total > Integer.MAX_VALUE / PIXELS) {
            throw new ConvkitException(layout.dir() + ": too many records to hold in memory (" + total + ")");
        }
        int n = (int) total;
        byte[] pixels = new byte[n * PIXELS];
        int[] labels = new int[n];
        byte[] rec = new byte[record];
        int i = 0;
        long bytes = 0;
        for (Path f : files) {
            bytes += size(f);
            try (InputStream in = new java.io.BufferedInputStream(Files.newInputStream(f), 1 << 16)) {
                while (in.readNBytes(rec, 0, record) == record) {
                    int off = record - PIXELS;
                    labels[i] = rec[off - 1] & 0xff; // the fine label is the byte just before the pixels
                    // planes R, G, B of 1024 each -> interleaved HWC
                    int base = i * PIXELS;
                    for (int p = 0; p < SIDE * SIDE; p++) {
                        pixels[base + 3 * p] = rec[off + p];
                        pixels[base + 3 * p + 1] = rec[off + 1024 + p];
                        pixels[base + 3 * p + 2] = rec[off + 2048 + p];
                    }
                    i++;
                }
            } catch (IOException e) {
                throw new ConvkitException(f + ": cannot read (" + e.getMessage() + ")", e);
            }
        }
        String what = (layout.cifar100() ? "CIFAR-100 " : "CIFAR-10 ") + split + " " + layout.dir();
        PixelArraySource all = new PixelArraySource(pixels, n, SIDE, SIDE, 3, labels, 1, classes, split, what);
        return RawSplit.keepLabeled(all, split, what + " record", bytes);
    }

    private static int batchNumber(Path p) {
        var m = BATCH.matcher(p.getFileName().toString());
        return m.matches() ? Integer.parseInt(m.group(1)) : 0;
    }

    private static long size(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            throw new ConvkitException("cannot read " + p + ": " + e.getMessage(), e);
        }
    }
}
