package org.convkit.train;

import java.util.Map;

/**
 * Extra columns of one {@code metrics.csv} row beyond the contract's fixed ones: a fine-tuning
 * run's phase, the per-position accuracy of a K-head model. Called at every epoch end; a column
 * a row does not give stays empty.
 */
@FunctionalInterface
public interface EpochColumns {
    /** Column name to value (a number or a string; null = empty) for the epoch that just ended. */
    Map<String, Object> columns(Learner learner, EpochResult row);
}
