package org.convkit.data;

import java.nio.file.Path;
import java.util.List;

/**
 * How {@link org.convkit.data.load.Datasets#open} reads a dataset. Start from {@link #defaults()} and change what you
 * need with the {@code with...} methods.
 *
 * @param validSplit the fraction of train held out for validation when there is no valid/val
 *     folder or file (stratified, seeded); 0 = no validation split
 * @param seed seeds the validation split (same seed, same split, whatever the thread count)
 * @param heads K, the label length of digit sequences (Tianchi JSON); 0 = the longest label
 * @param images folder the paths of a CSV/JSON label file are relative to; {@code null} = the
 *     dataset folder when {@code labels} is given, else a sibling folder named like the label
 *     file, else the label file's folder
 * @param classes {@code --class-names}: the class names in order (class folders, label names or
 *     indices map to these); {@code null} = from the data (sorted names, or "0".."max" for index
 *     labels)
 * @param acquire when a named dataset (fashion-mnist) is absent: install or download it (true), or
 *     fail saying how (false)
 * @param dataHome where downloaded datasets live; {@code null} = {@code $CONVKIT_DATA}, else
 *     {@code $CONVKIT_HOME/data}
 * @param labels {@code --labels}: a label file (CSV, Tianchi JSON, JSON map) giving the labels
 *     instead of the ones found in the dataset folder; its split is the one its name says
 *     ({@code test.csv}), else train; {@code null} = look for labels in the folder
 * @param labelsFrom {@code --labels-from}: labels from file names, a preset or a regular expression
 *     with one capture group ({@link org.convkit.data.source.FileNameLabels}); {@code null} = class
 *     folders or label files
 */
public record OpenOptions(
        double validSplit, long seed, int heads, Path images, List<String> classes, boolean acquire, Path dataHome,
        Path labels, String labelsFrom) {

    public OpenOptions {
        if (!(validSplit >= 0 && validSplit < 1)) {
            throw new org.convkit.core.ConvkitException(
                    "--valid-split " + validSplit + ": expected a fraction in [0, 1), e.g. 0.1");
        }
        if (heads < 0) {
            throw new org.convkit.core.ConvkitException("--heads " + heads + ": expected 0 (auto) or a positive length");
        }
        classes = classes == null ? null : List.copyOf(classes);
    }

    /** validSplit 0.1, seed 0, heads auto, images auto, classes from the data, acquire on. */
    public static OpenOptions defaults() {
        return builder().build();
    }

    /** A builder holding {@link #defaults()}. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding these options: change what you need and {@link Builder#build()}. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.validSplit = validSplit;
        b.seed = seed;
        b.heads = heads;
        b.images = images;
        b.classes = classes;
        b.acquire = acquire;
        b.dataHome = dataHome;
        b.labels = labels;
        b.labelsFrom = labelsFrom;
        return b;
    }

    public OpenOptions withValidSplit(double v) {
        return toBuilder().validSplit(v).build();
    }

    public OpenOptions withSeed(long v) {
        return toBuilder().seed(v).build();
    }

    public OpenOptions withHeads(int v) {
        return toBuilder().heads(v).build();
    }

    public OpenOptions withImages(Path v) {
        return toBuilder().images(v).build();
    }

    public OpenOptions withClasses(List<String> v) {
        return toBuilder().classes(v).build();
    }

    public OpenOptions withAcquire(boolean v) {
        return toBuilder().acquire(v).build();
    }

    public OpenOptions withDataHome(Path v) {
        return toBuilder().dataHome(v).build();
    }

    public OpenOptions withLabels(Path v) {
        return toBuilder().labels(v).build();
    }

    public OpenOptions withLabelsFrom(String v) {
        return toBuilder().labelsFrom(v).build();
    }

    /** Builds {@link OpenOptions} by name; starts from {@link #defaults()}. */
    public static final class Builder {
        private double validSplit = 0.1;
        private long seed;
        private int heads;
        private Path images;
        private List<String> classes;
        private boolean acquire = true;
        private Path dataHome;
        private Path labels;
        private String labelsFrom;

        private Builder() {}

        public Builder validSplit(double v) { validSplit = v; return this; }
        public Builder seed(long v) { seed = v; return this; }
        public Builder heads(int v) { heads = v; return this; }
        public Builder images(Path v) { images = v; return this; }
        public Builder classes(List<String> v) { classes = v; return this; }
        public Builder acquire(boolean v) { acquire = v; return this; }
        public Builder dataHome(Path v) { dataHome = v; return this; }
        public Builder labels(Path v) { labels = v; return this; }
        public Builder labelsFrom(String v) { labelsFrom = v; return this; }

        public OpenOptions build() {
            return new OpenOptions(validSplit, seed, heads, images, classes, acquire, dataHome, labels, labelsFrom);
        }
    }
}
