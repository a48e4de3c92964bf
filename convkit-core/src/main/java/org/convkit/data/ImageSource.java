package org.convkit.data;

import java.io.IOException;
import java.util.List;

/**
 * Random access to the samples of one split. Implementations must be safe to call from several
 * loader threads at once.
 */
public interface ImageSource {
    /** Number of samples. */
    int size();

    /**
     * Sample {@code index} (0-based, stable across calls and runs).
     *
     * @throws IOException when the sample cannot be read; the loader skips and counts it
     */
    Sample get(int index) throws IOException;

    /** Class names, index = label value; for sequences, the per-position classes incl. blank. */
    List<String> classes();

    /** Where the data comes from, for messages ("ImageFolder /data/food11/train, 9866 files"). */
    String describe();

    /**
     * The labels of sample {@code index} without reading the image (splits and class counts use
     * it); sources that keep labels apart from the images override this cheap version.
     */
    default int[] labels(int index) throws IOException {
        return get(index).labels();
    }

    /**
     * Where sample {@code index} lives, for error messages and skipped.csv: a file path, or
     * "train-00003.shard@1234" for a record. The default names the source and the index.
     */
    default String location(int index) {
        return describe() + " #" + index;
    }

    /**
     * The source this one is a view of (a subset's whole set), else itself: what owns the files
     * and is closed once however many views share it.
     */
    default ImageSource base() {
        return this;
    }
}
