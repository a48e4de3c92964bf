package org.convkit.eval;

/**
 * Precision, recall and F1 averaged over classes.
 *
 * @param precision mean precision
 * @param recall mean recall
 * @param f1 mean F1 (the mean of per-class F1 values, as scikit-learn averages)
 */
public record Averages(double precision, double recall, double f1) {}
