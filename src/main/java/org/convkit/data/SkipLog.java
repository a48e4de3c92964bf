package org.convkit.data;

import com.fasterxml.jackson.databind.SequenceWriter;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.convkit.core.AtomicFiles;

/**
 * A thread-safe list of skipped samples: sources add what they rejected when they were opened,
 * loader threads add what failed to decode. {@link #writeCsv} writes the run folder's skipped.csv.
 */
public final class SkipLog {
    private final List<Skipped> items = new ArrayList<>();

    public synchronized void add(Skipped s) {
        items.add(s);
    }

    public synchronized void addAll(List<Skipped> s) {
        items.addAll(s);
    }

    public synchronized int size() {
        return items.size();
    }

    /** A copy, in the order they were added. */
    public synchronized List<Skipped> list() {
        return List.copyOf(items);
    }

    /**
     * Writes the run folder's {@code split,id,reason} file atomically (temp file, then rename); the
     * reason ends with the file in brackets so the user can find it.
     */
    public void writeCsv(Path file) throws IOException {
        List<Skipped> copy = list();
        CsvSchema schema = CsvSchema.builder().addColumn("split").addColumn("id").addColumn("reason").setUseHeader(true).build();
        AtomicFiles.write(file, out -> {
            try (SequenceWriter rows = new CsvMapper().writer(schema).writeValues(new OutputStreamWriter(out, StandardCharsets.UTF_8))) {
                for (Skipped s : copy) {
                    rows.write(List.of(s.split(), s.id(), s.reason() + " [" + s.file() + "]"));
                }
            }
        });
    }
}
