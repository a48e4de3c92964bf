package org.convkit.eval;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.stream.IntStream;
import org.convkit.data.image.Decoder;
import org.convkit.data.image.ImageHeader;

/**
 * What a {@link Classifier} answers for one image: its label, or why it has none.
 *
 * @param id the id the image came with (a file name, an upload's name)
 * @param label the most probable class; for several heads the non-blank classes of the positions
 *     joined, as a street number reads ("17"), exactly what {@code convkit predict} writes; null
 *     when {@link #problem} is set
 * @param probability the label's probability; for several heads the product over positions
 * @param top per head, the {@code k} most probable classes, most probable first (ties: the lower
 *     class index first); empty when {@link #problem} is set
 * @param problem why the image got no prediction, or null
 */
public record ImagePrediction(String id, String label, double probability, List<List<Scored>> top, Problem problem) {

    public ImagePrediction {
        top = top == null ? List.of() : top.stream().map(List::copyOf).toList();
    }

    /** Why an image got no prediction; the other images of the call are not affected. */
    public record Problem(Kind kind, String message) {
        public Problem {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(message, "message");
        }
    }

    /** The kinds of bad input, so a caller can map them (an HTTP server: 400, 413, 415). */
    public enum Kind {
        /** Zero bytes. */
        EMPTY,
        /** Bytes of no image format the decoder knows (a text file, a PDF). */
        NOT_AN_IMAGE,
        /** An image above the decoder's pixel limit, refused from its header (a decompression bomb). */
        TOO_LARGE,
        /** A known format that does not decode: truncated, corrupt. */
        UNREADABLE
    }

    /** Whether the image got a prediction. */
    public boolean ok() {
        return problem == null;
    }

    /** The answer for an image that could not be used. */
    public static ImagePrediction failed(String id, Problem problem) {
        return new ImagePrediction(id, null, Double.NaN, List.of(), problem);
    }

    /**
     * The prediction for image {@code i} of a batch's scores: softmax per head in double precision,
     * the best class per head, the joined label.
     *
     * @param logits per head, N*classes scores row-major
     * @param classes class names (one head's width)
     * @param blank the blank class of sequences, or -1
     * @param k classes to keep per head (at least 1)
     */
    public static ImagePrediction of(String id, float[][] logits, int i, List<String> classes, int blank, int k) {
        Answer a = Answer.of(logits, i, classes.size());
        List<List<Scored>> top = new ArrayList<>(logits.length);
        for (double[] p : a.probabilities()) {
            top.add(topK(p, classes, k));
        }
        return new ImagePrediction(id, a.label(classes, blank), a.probability(), top, null);
    }

    /** The k most probable classes of one head's probabilities. */
    static List<Scored> topK(double[] p, List<String> classes, int k) {
        return IntStream.range(0, p.length).boxed()
                .sorted(Comparator.comparingDouble((Integer j) -> p[j]).reversed().thenComparing(j -> j))
                .limit(Math.max(1, k))
                .map(j -> new Scored(classes.get(j), p[j]))
                .toList();
    }

    /**
     * Names what is wrong with an image the decoder refused.
     *
     * @param bytes the encoded image, or null when it came decoded
     * @param e what the decoder (or the transforms) threw
     */
    public static Problem problem(byte[] bytes, Exception e) {
        String m = e.getMessage() == null || e.getMessage().isBlank() ? e.getClass().getSimpleName() : e.getMessage();
        if (e instanceof Decoder.ImageTooLargeException) {
            return new Problem(Kind.TOO_LARGE, m);
        }
        if (bytes != null && bytes.length == 0) {
            return new Problem(Kind.EMPTY, "empty (0 bytes)");
        }
        if (bytes != null && !ImageHeader.read(bytes).known()) {
            return new Problem(Kind.NOT_AN_IMAGE, "not an image (no known image format: JPEG, PNG, BMP, GIF, WebP)");
        }
        return new Problem(Kind.UNREADABLE, m);
    }
}
