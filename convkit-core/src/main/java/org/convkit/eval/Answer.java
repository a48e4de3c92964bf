package org.convkit.eval;

import java.util.List;

/**
 * One image's row of a batch's scores read as the model's answer: per head the softmax
 * probabilities (double precision) and the most probable class (the first on ties, as
 * torch.argmax); the label and its probability follow from them. {@link ImagePrediction}, the
 * prediction CSV ({@link PredictionWriter}) and the competition files ({@link Submission}) all give
 * this answer, so it is computed here once.
 *
 * @param probabilities per head, the probability of every class
 * @param best per head, the most probable class
 */
record Answer(double[][] probabilities, int[] best) {

    /**
     * @param logits per head, N*classes scores row-major
     * @param i the image's row
     * @param classes one head's width
     */
    static Answer of(float[][] logits, int i, int classes) {
        double[][] p = new double[logits.length][];
        int[] best = new int[logits.length];
        for (int h = 0; h < logits.length; h++) {
            p[h] = Softmax.of(logits[h], i * classes, classes);
            best[h] = Softmax.argmax(p[h]);
        }
        return new Answer(p, best);
    }

    /** The label's probability: for several heads the product over positions. */
    double probability() {
        double product = 1;
        for (int h = 0; h < best.length; h++) {
            product *= probabilities[h][best[h]];
        }
        return product;
    }

    /** The label as people read it: the class, or a sequence's non-blank classes joined ({@link Labels#text}). */
    String label(List<String> classes, int blank) {
        return Labels.text(best, classes, blank);
    }
}
