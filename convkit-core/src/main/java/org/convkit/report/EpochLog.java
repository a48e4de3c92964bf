package org.convkit.report;

import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.convkit.core.ConvkitException;
import org.convkit.core.Json;

/**
 * A run's {@code metrics.csv} read back: one row per epoch, columns by name (epoch, train_loss,
 * train_acc, valid_loss, valid_acc, lr, seconds, data_wait, and any extra ones the trainer adds).
 * Missing or blank values read as NaN, so a run without validation still plots its training curve.
 */
public final class EpochLog {
    private final List<String> columns;
    private final List<Map<String, String>> rows;

    private EpochLog(List<String> columns, List<Map<String, String>> rows) {
        this.columns = List.copyOf(columns);
        this.rows = rows;
    }

    /** A log with no epochs (a run that has not finished one yet). */
    public static EpochLog empty() {
        return new EpochLog(List.of(), List.of());
    }

    public static EpochLog read(Path csv) {
        CsvMapper mapper = Json.csv();
        try (MappingIterator<Map<String, String>> it =
                mapper.readerForMapOf(String.class).with(CsvSchema.emptySchema().withHeader()).readValues(csv.toFile())) {
            List<Map<String, String>> rows = it.readAll();
            List<String> columns = new ArrayList<>();
            ((CsvSchema) it.getParserSchema()).forEach(c -> columns.add(c.getName()));
            return new EpochLog(columns, rows);
        } catch (IOException | RuntimeException e) {
            throw new ConvkitException("cannot read " + csv + ": " + e.getMessage()
                    + ". It should be the run's per-epoch CSV with a header row (epoch,train_loss,...).", e);
        }
    }

    /** Reads {@code csv}, or an empty log when the file does not exist. */
    public static EpochLog readIfExists(Path csv) {
        return Files.exists(csv) ? read(csv) : empty();
    }

    public int size() {
        return rows.size();
    }

    public List<String> columns() {
        return columns;
    }

    /** The values of one column, NaN where blank, missing or not a number. */
    public double[] column(String name) {
        double[] out = new double[rows.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = parse(rows.get(i).get(name));
        }
        return out;
    }

    /** Whether the column has at least one number. */
    public boolean has(String name) {
        return Arrays.stream(column(name)).anyMatch(Double::isFinite);
    }

    /** Row of the best value of a column (the first on ties), if it has any number. */
    public OptionalInt best(String name, boolean higherIsBetter) {
        double[] v = column(name);
        int best = -1;
        for (int i = 0; i < v.length; i++) {
            if (Double.isFinite(v[i]) && (best < 0 || (higherIsBetter ? v[i] > v[best] : v[i] < v[best]))) {
                best = i;
            }
        }
        return best < 0 ? OptionalInt.empty() : OptionalInt.of(best);
    }

    /** The row of {@code epoch} (the last one, should a resumed run have logged it twice), if logged. */
    public OptionalInt row(int epoch) {
        double[] e = epochs();
        for (int i = e.length - 1; i >= 0; i--) {
            if (e[i] == epoch) {
                return OptionalInt.of(i);
            }
        }
        return OptionalInt.empty();
    }

    /** The last number in a column, NaN if none. */
    public double last(String name) {
        double[] v = column(name);
        for (int i = v.length - 1; i >= 0; i--) {
            if (Double.isFinite(v[i])) {
                return v[i];
            }
        }
        return Double.NaN;
    }

    /** The x axis for plots: the epoch column, or 1..n when there is none. */
    public double[] epochs() {
        double[] e = column("epoch");
        for (int i = 0; i < e.length; i++) {
            if (!Double.isFinite(e[i])) {
                e[i] = i + 1;
            }
        }
        return e;
    }

    private static double parse(String s) {
        if (s == null || s.isBlank()) {
            return Double.NaN;
        }
        try {
            return Double.parseDouble(s.trim());
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }
}
