package org.convkit.eval;

import com.fasterxml.jackson.databind.SequenceWriter;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.util.ArrayList;
import java.util.List;
import org.convkit.core.Choices;
import org.convkit.core.Json;

/**
 * Writes predictions as CSV, one row per image as it arrives (nothing is held back, so any number
 * of images streams through): {@code id,label} as Kaggle submissions expect, the id being the file
 * name without extension. For sequence models the label is the digit string without blanks.
 *
 * <ul>
 *   <li>{@code label}: {@code id,label}
 *   <li>{@code probs}: {@code id,label,prob} (the prediction's probability; for K heads the
 *       product over positions), then one softmax probability column per class
 *   <li>{@code logits}: {@code id,label}, then the raw scores per class
 * </ul>
 * Per-class columns are named by class ("cat"), for K heads by position and class ("0:7").
 */
public final class PredictionWriter implements RowWriter {
    /** What each row carries besides id and label. */
    public enum Format {
        LABEL,
        PROBS,
        LOGITS;

        public static Format parse(String s) {
            return Choices.parse(Format.class, "--format", s);
        }
    }

    private final Format format;
    private final List<String> classes;
    private final int heads;
    private final int blank;
    private final SequenceWriter csv;
    private long rows;

    /**
     * @param out where the CSV goes (not closed by {@link #close()}: the caller owns it)
     * @param classes class names, index = class
     * @param heads K outputs per image
     * @param blank the blank class of sequences, or -1
     */
    public PredictionWriter(Writer out, Format format, List<String> classes, int heads, int blank) throws IOException {
        this.format = format;
        this.classes = List.copyOf(classes);
        this.heads = heads;
        this.blank = blank;
        CsvSchema.Builder schema = CsvSchema.builder().setUseHeader(true).addColumn("id").addColumn("label");
        if (format == Format.PROBS) {
            schema.addColumn("prob");
        }
        if (format != Format.LABEL) {
            for (int h = 0; h < heads; h++) {
                for (String c : classes) {
                    schema.addColumn(heads == 1 ? c : h + ":" + c);
                }
            }
        }
        // the caller owns the stream; the feature is off for this writer only (the mapper is shared)
        this.csv = Json.csv().writer(schema.build())
                .without(com.fasterxml.jackson.core.JsonGenerator.Feature.AUTO_CLOSE_TARGET).writeValues(out);
    }

    /** Writes one batch's rows from scores on the heap (per head, N*classes row-major). */
    @Override
    public void add(float[][] logits, String[] ids) {
        int c = classes.size();
        for (int i = 0; i < ids.length; i++) {
            Answer a = Answer.of(logits, i, c);
            List<Object> row = new ArrayList<>(3 + heads * c);
            row.add(ids[i]);
            row.add(a.label(classes, blank));
            if (format == Format.PROBS) {
                row.add(a.probability());
            }
            for (int h = 0; h < heads; h++) {
                for (int j = 0; j < c; j++) {
                    if (format == Format.PROBS) {
                        row.add(a.probabilities()[h][j]);
                    } else if (format == Format.LOGITS) {
                        row.add(logits[h][i * c + j]);
                    }
                }
            }
            try {
                csv.write(row);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write predictions: " + e.getMessage(), e);
            }
            rows++;
        }
    }

    /** Rows written so far. */
    @Override
    public long rows() {
        return rows;
    }

    /** Flushes the CSV; the underlying writer stays open. */
    @Override
    public void close() throws IOException {
        csv.close();
    }
}
