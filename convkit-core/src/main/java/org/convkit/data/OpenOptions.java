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
        return new OpenOptions(0.1, 0, 0, null, null, true, null, null, null);
    }

    public OpenOptions withValidSplit(double v) {
        return new OpenOptions(v, seed, heads, images, classes, acquire, dataHome, labels, labelsFrom);
    }

    public OpenOptions withSeed(long v) {
        return new OpenOptions(validSplit, v, heads, images, classes, acquire, dataHome, labels, labelsFrom);
    }

    public OpenOptions withHeads(int v) {
        return new OpenOptions(validSplit, seed, v, images, classes, acquire, dataHome, labels, labelsFrom);
    }

    public OpenOptions withImages(Path v) {
        return new OpenOptions(validSplit, seed, heads, v, classes, acquire, dataHome, labels, labelsFrom);
    }

    public OpenOptions withClasses(List<String> v) {
        return new OpenOptions(validSplit, seed, heads, images, v, acquire, dataHome, labels, labelsFrom);
    }

    public OpenOptions withAcquire(boolean v) {
        return new OpenOptions(validSplit, seed, heads, images, classes, v, dataHome, labels, labelsFrom);
    }

    public OpenOptions withDataHome(Path v) {
        return new OpenOptions(validSplit, seed, heads, images, classes, acquire, v, labels, labelsFrom);
    }

    public OpenOptions withLabels(Path v) {
        return new OpenOptions(validSplit, seed, heads, images, classes, acquire, dataHome, v, labelsFrom);
    }

    public OpenOptions withLabelsFrom(String v) {
        return new OpenOptions(validSplit, seed, heads, images, classes, acquire, dataHome, labels, v);
    }
}
