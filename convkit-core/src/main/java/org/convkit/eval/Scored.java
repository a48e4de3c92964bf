package org.convkit.eval;

/**
 * A class and its softmax probability.
 *
 * @param label the class name
 * @param probability in [0, 1]
 */
public record Scored(String label, double probability) {}
