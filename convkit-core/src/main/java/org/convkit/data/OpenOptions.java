package org.convkit.data;

import java.nio.file.Path;
import java.util.List;

/**
 * How {@link Datasets#open} reads a dataset. Start from {@link #defaults()} and change what you
 * need with the {@code with...} methods.
 *
 * @param validSplit the fraction of train held out for validation when there is no valid/val
 *     folder or file (stratified, seeded); 0 = no validation split
 * @param seed seeds the validation split (same seed, same split, whatever the thread count)
 * @param heads K, the label length of digit sequences (Tianchi JSON); 0 = the longest label
 * @param images folder the paths of a CSV/JSON label file are relative to; {@code null} = a
 *     sibling folder named like the label file, else the label file's folder
 * @param classes class names for CSV files whose labels are indices (also bounds them); {@code
 *     null} = "0".."max label"
 * @param acquire when a named dataset (fashion-mnist) is absent: install or download it (true), or
 *     fail saying how (false)
 * @param dataHome where downloaded datasets live; {@code null} = {@code $CONVKIT_DATA}, else
 *     {@code $CONVKIT_HOME/data}
 */
public record OpenOptions(
        double validSplit, long seed, int heads, Path images, List<String> classes, boolean acquire, Path dataHome) {

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
        return new OpenOptions(0.1, 0, 0, null, null, true, null);
    }

    public OpenOptions withValidSplit(double v) {
        return new OpenOptions(v, seed, heads, images, classes, acquire, dataHome);
    }

    public OpenOptions withSeed(long v) {
        return new OpenOptions(validSplit, v, heads, images, classes, acquire, dataHome);
    }

    public OpenOptions withHeads(int v) {
        return new OpenOptions(validSplit, seed, v, images, classes, acquire, dataHome);
    }

    public OpenOptions withImages(Path v) {
        return new OpenOptions(validSplit, seed, heads, v, classes, acquire, dataHome);
    }

    public OpenOptions withClasses(List<String> v) {
        return new OpenOptions(validSplit, seed, heads, images, v, acquire, dataHome);
    }

    public OpenOptions withAcquire(boolean v) {
        return new OpenOptions(validSplit, seed, heads, images, classes, v, dataHome);
    }

    public OpenOptions withDataHome(Path v) {
        return new OpenOptions(validSplit, seed, heads, images, classes, acquire, v);
    }
}
