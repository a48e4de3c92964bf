package org.convkit.data.inspect;

import java.util.List;
import java.util.Map;
import org.convkit.data.Skipped;

/**
 * What {@link Inspector} found in a dataset; serializes to the JSON of {@code data inspect --json}.
 *
 * @param name the dataset
 * @param classes class names
 * @param heads labels per sample
 * @param splits one report per split
 * @param crossSplitDuplicates identical files (by SHA-256 of their bytes) in two splits: leakage
 * @param duplicateCount how many samples repeat an earlier one, across or within splits
 * @param skipped files left out when the dataset was opened
 * @param warnings what the user should look at (imbalance, unreadable files, duplicates)
 * @param layout what was recognised on disk and why (the split folders, where the labels come from)
 */
public record InspectReport(
        String name,
        List<String> classes,
        int heads,
        List<SplitReport> splits,
        List<Duplicate> crossSplitDuplicates,
        int duplicateCount,
        List<Skipped> skipped,
        List<String> warnings,
        List<String> layout) {

    /**
     * @param split "train", "valid", "test"
     * @param count samples
     * @param classCounts samples per class (first label of each sample), in class order
     * @param imbalance largest / smallest class count; null when a class is empty or there is one class
     * @param sizes "WxH" -> images, most frequent first (at most 20; the rest under "other")
     * @param modes PIL-style mode ("L", "RGB", "RGBA", "P", "CMYK") -> images
     * @param formats "jpeg", "png", "raw" ... -> images
     * @param unreadable samples that cannot be decoded, with the reason
     * @param tiny ids of images smaller than 8 pixels on a side
     */
    public record SplitReport(
            String split,
            int count,
            Map<String, Integer> classCounts,
            Double imbalance,
            Map<String, Integer> sizes,
            Map<String, Integer> modes,
            Map<String, Integer> formats,
            List<Problem> unreadable,
            List<String> tiny) {}

    /** A sample that failed: its id, where it lives, why. */
    public record Problem(String id, String file, String reason) {}

    /** The same bytes in two splits. */
    public record Duplicate(String sha256, String firstSplit, String firstId, String secondSplit, String secondId) {}
}
