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

    /** An unlabeled image as encoded bytes (a file, an upload, a record), for prediction. */
    public static Sample encoded(String id, byte[] bytes) {
        return new Sample(id, bytes, null, new int[0]);
    }

    /** An unlabeled image already decoded to pixels, for prediction. */
    public static Sample decoded(String id, Image pixels) {
        return new Sample(id, null, pixels, new int[0]);
    }

    public boolean isLabeled() {
        return labels.length > 0;
    }
}
