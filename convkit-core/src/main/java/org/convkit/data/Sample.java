package org.convkit.data;

/**
 * One item of a dataset before decoding: either the encoded file bytes as they came (JPEG, PNG
 * ...) or, for datasets stored as raw pixels (IDX, CIFAR binary), the pixels themselves.
 *
 * @param id a stable name: the file name without extension for files, "train-00042" for records
 * @param encoded encoded image bytes, or {@code null} when {@code pixels} is given
 * @param pixels decoded pixels, or {@code null} when {@code encoded} is given
 * @param labels class index per head ({@code [c]} for plain classification, K entries for a
 *     sequence padded with the blank class); empty for unlabeled data
 */
public record Sample(String id, byte[] encoded, Image pixels, int[] labels) {
    public Sample {
        if ((encoded == null) == (pixels == null)) {
            throw new IllegalArgumentException("a sample holds encoded bytes or pixels, exactly one");
        }
    }

    public boolean isLabeled() {
        return labels.length > 0;
    }
}
