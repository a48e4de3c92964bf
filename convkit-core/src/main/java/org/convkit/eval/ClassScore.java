package org.convkit.eval;

/**
 * Precision, recall and F1 of one class, from the confusion matrix (rows = true class).
 *
 * @param name the class name
 * @param support how many samples truly belong to the class (row sum)
 * @param predicted how many samples were predicted as the class (column sum)
 * @param precision TP / (TP + FP), 0 when nothing was predicted as the class
 * @param recall TP / (TP + FN), 0 when the class has no samples
 * @param f1 the harmonic mean of precision and recall, 0 when both are 0
 */
public record ClassScore(String name, long support, long predicted, double precision, double recall, double f1) {}
