package org.convkit.eval;

import java.io.Closeable;

/** Where {@code predict} puts its rows: the CSV of {@code --format} or a {@link Submission}. */
public interface RowWriter extends Closeable {
    /** One batch's scores on the heap (per head, N*classes row-major), one row per id. */
    void add(float[][] logits, String[] ids);

    /** Rows taken so far. */
    long rows();
}
