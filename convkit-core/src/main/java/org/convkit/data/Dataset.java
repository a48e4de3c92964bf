package org.convkit.data;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@link org.convkit.data.load.Datasets#open} found: the class list and up to three splits, each its own {@link
 * ImageSource} so the trainer gives train and validation different transforms.
 *
 * @param name short name for messages ("fashion-mnist", "cifar10-jpg")
 * @param classes class names, index = label value (for sequences: "0".."9" then "blank")
 * @param train training samples, or {@code null}
 * @param valid validation samples (a folder, or a seeded stratified part of train), or {@code null}
 * @param test test samples, or {@code null}
 * @param channels 1 or 3 when every image has it (IDX, CIFAR, shards that recorded it), else
 *     {@code null}
 * @param width native image width when every image has it, else {@code null}
 * @param height native image height when every image has it, else {@code null}
 * @param heads K: labels per sample (1 for plain classification, the padded length for digit
 *     sequences)
 * @param sourceBytes bytes of the files the data was read from (for the shard size ratio)
 * @param skipped samples left out when opening, with reasons (the loader adds decode failures)
 * @param warnings things the user should know that did not stop anything (an empty class folder)
 * @param unlabeled folders of images without labels by split name (a flat {@code test1/} beside
 *     {@code train/}): {@code predict} reads them, training and evaluation leave them out
 * @param layout what was recognised on disk and why, one line each (shown by {@code data inspect})
 */
public record Dataset(
        String name,
        List<String> classes,
        ImageSource train,
        ImageSource valid,
        ImageSource test,
        Integer channels,
        Integer width,
        Integer height,
        int heads,
        long sourceBytes,
        List<Skipped> skipped,
        List<String> warnings,
        Map<String, ImageSource> unlabeled,
        List<String> layout)
        implements AutoCloseable {

    public Dataset {
        unlabeled = unlabeled == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(unlabeled));
        layout = layout == null ? List.of() : List.copyOf(layout);
    }

    /** A dataset whose images are all labeled, with no layout notes (sources built in code). */
    public Dataset(String name, List<String> classes, ImageSource train, ImageSource valid, ImageSource test,
            Integer channels, Integer width, Integer height, int heads, long sourceBytes, List<Skipped> skipped,
            List<String> warnings) {
        this(name, classes, train, valid, test, channels, width, height, heads, sourceBytes, skipped, warnings, null, null);
    }

    /** Closes the splits that hold files open (shards); the others need nothing. */
    @Override
    public void close() {
        for (ImageSource s : new ImageSource[] {train, valid, test}) {
            ImageSource base = s == null ? null : s.base();
            if (base instanceof AutoCloseable c) {
                try {
                    c.close();
                } catch (Exception e) {
                    // read-only sources: nothing is lost when closing fails
                }
            }
        }
    }

    /** The split by name ("train", "valid", "test"), or {@code null}. */
    public ImageSource split(String split) {
        return switch (split) {
            case "train" -> train;
            case "valid" -> valid;
            case "test" -> test;
            default -> throw new IllegalArgumentException("no split " + split);
        };
    }

    /** The split names present, in the order train, valid, test. */
    public List<String> splitNames() {
        List<String> out = new ArrayList<>();
        for (String s : List.of("train", "valid", "test")) {
            if (split(s) != null) {
                out.add(s);
            }
        }
        return out;
    }

    /**
     * One line per split, for logs: "train: ImageFolder /data/x/train, 9866 files"; unlabeled
     * folders too ("test (unlabeled): unlabeled folder /data/x/test1, 12500 files").
     */
    public String describe() {
        StringBuilder sb = new StringBuilder(name + ": " + (classes == null ? 0 : classes.size()) + " classes");
        if (heads > 1) {
            sb.append(", ").append(heads).append(" labels per sample");
        }
        for (String s : splitNames()) {
            sb.append("\n  ").append(s).append(": ").append(split(s).describe());
        }
        unlabeled.forEach((s, src) -> sb.append("\n  ").append(s).append(" (unlabeled): ").append(src.describe()));
        return sb.toString();
    }

    /** The layout notes as one text, for error messages ("what convkit found: ..."). */
    public String explainLayout() {
        return layout.isEmpty() ? "" : "what convkit found: " + String.join("; ", layout);
    }
}
