package org.convkit.eval;

/**
 * A misclassified sample, for the report's gallery of confident mistakes.
 *
 * @param id the sample's id (file name without extension, or "test-00042")
 * @param index the sample's index in its source, to fetch the image again
 * @param truth the true label as text (class name; for sequences the digits without blanks)
 * @param predicted the predicted label as text, same form
 * @param truthClasses the true class per head
 * @param predictedClasses the predicted class per head
 * @param probability the softmax probability of the prediction (for K heads the product of the
 *     per-head probabilities: the model's confidence in the whole sequence)
 */
public record Mistake(
        String id, int index, String truth, String predicted, int[] truthClasses, int[] predictedClasses, double probability)
        implements java.io.Serializable {}
