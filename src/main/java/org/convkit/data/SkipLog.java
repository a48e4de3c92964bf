package org.convkit.data;

import com.fasterxml.jackson.databind.SequenceWriter;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

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
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
        CsvSchema schema = CsvSchema.builder().addColumn("split").addColumn("id").addColumn("reason").setUseHeader(true).build();
        try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8);
                SequenceWriter rows = new CsvMapper().writer(schema).writeValues(w)) {
            for (Skipped s : copy) {
                rows.write(List.of(s.split(), s.id(), s.reason() + " [" + s.file() + "]"));
            }
        } catch (IOException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
