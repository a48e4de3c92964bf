package org.convkit.data.source;

import java.util.ArrayList;
import java.util.List;
import org.convkit.data.ImageSource;
import org.convkit.data.Skipped;

/**
 * One split read from a container file (IDX, CIFAR binary).
 *
 * @param source the usable samples
 * @param skipped samples left out (labels outside the classes), with reasons
 * @param bytes size of the files read
 */
public record RawSplit(ImageSource source, List<Skipped> skipped, long bytes) {

    /**
     * The samples of {@code all} whose labels are inside the classes; the others are listed as
     * skipped ("label 12 outside the 10 classes"). Ids stay those of the file.
     *
     * @param where names the file for the skipped list ("IDX /data/train-labels-idx1-ubyte item")
     */
    static RawSplit keepLabeled(PixelArraySource all, String split, String where, long bytes) {
        int classes = all.classes().size();
        List<Skipped> skipped = new ArrayList<>();
        List<Integer> keep = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) {
            int label = all.labels(i)[0];
            if (label >= classes) {
                skipped.add(new Skipped(split, all.id(i), where + " " + i,
                        "label " + label + " outside the " + classes + " classes (0.." + (classes - 1) + ")"));
            } else {
                keep.add(i);
            }
        }
        if (skipped.isEmpty()) {
            return new RawSplit(all, skipped, bytes);
        }
        int[] idx = keep.stream().mapToInt(Integer::intValue).toArray();
        return new RawSplit(new SubsetSource(all, idx, all.describe() + " (" + skipped.size() + " bad labels left out)"), skipped, bytes);
    }
}
