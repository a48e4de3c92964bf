package org.convkit.report;

import com.fasterxml.jackson.databind.SequenceWriter;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.convkit.core.AtomicFiles;
import org.convkit.core.Json;
import org.convkit.eval.ClassScore;
import org.convkit.eval.EvalResult;

/**
 * The evaluation as CSV for spreadsheets and scripts: {@code confusion.csv} (one row per true
 * class, one column per predicted class, counts) and {@code per_class.csv} (precision, recall, F1,
 * support per class). Class names are quoted as CSV needs.
 */
public final class ResultCsv {
    private ResultCsv() {}

    public static void writeConfusion(EvalResult r, Path file) throws IOException {
        CsvSchema.Builder schema = CsvSchema.builder().setUseHeader(true).addColumn("true\\predicted");
        for (String c : r.classes()) {
            schema.addColumn(c);
        }
        List<List<Object>> rows = new ArrayList<>();
        for (int t = 0; t < r.classes().size(); t++) {
            List<Object> row = new ArrayList<>();
            row.add(r.classes().get(t));
            for (long v : r.confusion()[t]) {
                row.add(v);
            }
            rows.add(row);
        }
        write(file, schema.build(), rows);
    }

    public static void writePerClass(EvalResult r, Path file) throws IOException {
        CsvSchema schema = CsvSchema.builder().setUseHeader(true)
                .addColumn("class").addColumn("precision").addColumn("recall").addColumn("f1")
                .addColumn("support").addColumn("predicted").build();
        List<List<Object>> rows = new ArrayList<>();
        for (ClassScore s : r.perClass()) {
            rows.add(List.of(s.name(), s.precision(), s.recall(), s.f1(), s.support(), s.predicted()));
        }
        write(file, schema, rows);
    }

    /** Writes rows (lists in column order) under the schema's header, atomically (these tables and {@code lr-find.csv}). */
    public static void write(Path file, CsvSchema schema, List<? extends List<?>> rows) throws IOException {
        AtomicFiles.write(file, out -> {
            Writer w = new OutputStreamWriter(out, StandardCharsets.UTF_8);
            try (SequenceWriter seq = Json.csv().writer(schema).writeValues(w)) {
                seq.writeAll(rows);
            }
        });
    }
}
