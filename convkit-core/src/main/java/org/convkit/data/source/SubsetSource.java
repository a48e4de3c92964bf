package org.convkit.data.source;

import java.io.IOException;
import java.util.List;
import org.convkit.data.ImageSource;
import org.convkit.data.Sample;

/**
 * Some samples of another source, by index: the train and validation parts of a split made by
 * {@link Splits}. Each part is its own object so it gets its own transforms.
 */
public final class SubsetSource implements ImageSource {
    private final ImageSource base;
    private final int[] indices;
    private final String name;

    /**
     * @param base the whole split
     * @param indices which of its samples, in this source's order
     * @param name what this part is, for messages ("valid: 10% of train, seed 0")
     */
    public SubsetSource(ImageSource base, int[] indices, String name) {
        this.base = base;
        this.indices = indices.clone();
        this.name = name;
    }

    @Override
    public int size() {
        return indices.length;
    }

    @Override
    public Sample get(int index) throws IOException {
        return base.get(indices[index]);
    }

    @Override
    public List<String> classes() {
        return base.classes();
    }

    @Override
    public String describe() {
        return name + " (" + indices.length + " of " + base.describe() + ")";
    }

    @Override
    public int[] labels(int index) throws IOException {
        return base.labels(indices[index]);
    }

    @Override
    public String location(int index) {
        return base.location(indices[index]);
    }

    /** The index in the base source of sample {@code index}. */
    public int baseIndex(int index) {
        return indices[index];
    }

    public ImageSource base() {
        return base;
    }
}
