package org.convkit.train;

import com.fasterxml.jackson.dataformat.csv.CsvGenerator;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.convkit.core.AtomicFiles;
import org.convkit.core.ConvkitException;
import org.convkit.core.Json;
import org.convkit.core.RunFiles;
import org.convkit.data.Skipped;

/**
 * Writes a run folder {@code runs/<name>/} as the team's contract says: {@code config.json} (the
 * resolved config, flag names as keys), {@code metrics.csv} and {@code metrics.jsonl} (one row per
 * epoch), {@code checkpoints/last} and {@code checkpoints/best}, {@code skipped.csv}. Every file is
 * replaced atomically, so a kill at any moment leaves readable files; the metrics files are
 * rewritten whole each epoch (they are small), which also lets a resumed run drop rows of epochs
 * it repeats.
 */
public final class RunWriter {
    /** The contract's columns, then convkit's extras. */
    public static final List<String> COLUMNS = List.of("epoch", "train_loss", "train_acc", "valid_loss", "valid_acc",
            "lr", "seconds", "data_wait", "step", "img_per_s", "rss_mb");

    private final Path dir;
    private final List<EpochResult> rows = new ArrayList<>();
    /** Extra columns by epoch (a fine-tuning phase, per-position accuracy ...), after the fixed ones. */
    private final Map<Integer, Map<String, Object>> extras = new LinkedHashMap<>();

    private RunWriter(Path dir) {
        this.dir = dir;
    }

    /** A new run folder; refuses one that already holds a run (resume it, or pick another name). */
    public static RunWriter create(Path dir) {
        if (Files.exists(dir.resolve(RunFiles.CONFIG)) || Files.exists(dir.resolve(RunFiles.METRICS_CSV))) {
            throw new ConvkitException("run folder " + dir + " already holds a run: continue it with --resume " + dir
                    + ", or choose another --run name");
        }
        try {
            Files.createDirectories(dir.resolve(RunFiles.CHECKPOINTS));
        } catch (IOException e) {
            throw new ConvkitException("cannot create the run folder " + dir + ": " + e.getMessage(), e);
        }
        return new RunWriter(dir);
    }

    /**
     * An existing run folder to continue: keeps the metrics rows of the first {@code epochs}
     * epochs (those the checkpoint has) and drops later ones.
     */
    public static RunWriter resume(Path dir, int epochs) {
        RunWriter w = new RunWriter(dir);
        Path jsonl = dir.resolve(RunFiles.METRICS_JSONL);
        if (Files.exists(jsonl)) {
            try {
                for (String line : Files.readAllLines(jsonl, StandardCharsets.UTF_8)) {
                    if (line.isBlank()) {
                        continue;
                    }
                    Map<?, ?> m = Json.mapper().readValue(line, Map.class);
                    EpochResult r = fromRow(m);
                    if (r.epoch() <= epochs) {
                        w.rows.add(r);
                        Map<String, Object> extra = new LinkedHashMap<>();
                        m.forEach((k, v) -> {
                            if (!COLUMNS.contains(String.valueOf(k))) {
                                extra.put(String.valueOf(k), v);
                            }
                        });
                        w.extras.put(r.epoch(), extra);
                    }
                }
            } catch (IOException | RuntimeException e) {
                throw new ConvkitException("cannot read " + jsonl + " to resume: " + e.getMessage(), e);
            }
        }
        w.rewriteMetrics();
        return w;
    }

    public Path dir() {
        return dir;
    }

    /** {@code checkpoints/last}: written at every epoch end (and mid-epoch when asked). */
    public Path lastCheckpoint() {
        return RunFiles.lastCheckpoint(dir);
    }

    /** {@code checkpoints/best}: the epoch with the best monitored validation metric ({@link Monitor}). */
    public Path bestCheckpoint() {
        return RunFiles.bestCheckpoint(dir);
    }

    /** Rows written so far (including those kept from before a resume). */
    public List<EpochResult> rows() {
        return List.copyOf(rows);
    }

    /** Writes {@code config.json}: the resolved config, keys = flag names. */
    public void writeConfig(Map<String, Object> config) {
        Json.writePretty(dir.resolve(RunFiles.CONFIG), config);
    }

    /** Appends one epoch to {@code metrics.csv} and {@code metrics.jsonl}. */
    public void addEpoch(EpochResult r) {
        addEpoch(r, Map.of());
    }

    /**
     * Appends one epoch with extra columns (after the fixed ones, in the order first seen; a row
     * without a value leaves the cell empty).
     */
    public void addEpoch(EpochResult r, Map<String, ?> extra) {
        rows.removeIf(old -> old.epoch() >= r.epoch());
        extras.keySet().removeIf(e -> e >= r.epoch());
        rows.add(r);
        extras.put(r.epoch(), new LinkedHashMap<>(extra));
        rewriteMetrics();
    }

    /**
     * Writes {@code skipped.csv} ({@code split,id,reason}), the bad samples left out, or nothing
     * when there are none. The reason ends with where the sample lives, in parentheses, so the
     * user can find the file without a fourth column that older readers would not expect.
     */
    public void writeSkipped(List<Skipped> skipped) {
        if (skipped.isEmpty()) {
            return;
        }
        List<List<String>> rows = new ArrayList<>();
        for (Skipped s : skipped) {
            rows.add(List.of(s.split(), s.id(), s.reason() + " (" + s.file() + ")"));
        }
        write(dir.resolve(RunFiles.SKIPPED), csv(List.of("split", "id", "reason"), rows));
    }

    private void rewriteMetrics() {
        List<String> columns = new ArrayList<>(COLUMNS);
        for (Map<String, Object> e : extras.values()) {
            for (String k : e.keySet()) {
                if (!columns.contains(k)) {
                    columns.add(k);
                }
            }
        }
        List<List<String>> csv = new ArrayList<>();
        StringBuilder jsonl = new StringBuilder();
        for (EpochResult r : rows) {
            Map<String, Object> row = toRow(r);
            extras.getOrDefault(r.epoch(), Map.of()).forEach(row::putIfAbsent);
            List<String> cells = new ArrayList<>();
            for (String c : columns) {
                Object v = row.get(c);
                cells.add(v == null ? "" : v instanceof Double d ? num(d) : String.valueOf(v));
            }
            csv.add(cells);
            jsonl.append(Json.compact(row)).append('\n');
        }
        write(dir.resolve(RunFiles.METRICS_CSV), csv(columns, csv));
        write(dir.resolve(RunFiles.METRICS_JSONL), jsonl.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** One row by column name; NaN (no validation) becomes null (empty CSV cell, JSON null). */
    static Map<String, Object> toRow(EpochResult r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("epoch", r.epoch());
        m.put("train_loss", finite(r.trainLoss()));
        m.put("train_acc", finite(r.trainAcc()));
        m.put("valid_loss", finite(r.validLoss()));
        m.put("valid_acc", finite(r.validAcc()));
        m.put("lr", finite(r.lr()));
        m.put("seconds", finite(r.seconds()));
        m.put("data_wait", finite(r.dataWait()));
        m.put("step", r.step());
        m.put("img_per_s", finite(r.imagesPerSecond()));
        m.put("rss_mb", finite(r.rssMb()));
        return m;
    }

    static EpochResult fromRow(Map<?, ?> m) {
        return new EpochResult(((Number) m.get("epoch")).intValue(), ((Number) m.get("step")).longValue(),
                d(m, "train_loss"), d(m, "train_acc"), d(m, "valid_loss"), d(m, "valid_acc"), d(m, "lr"),
                d(m, "seconds"), d(m, "data_wait"), d(m, "img_per_s"), d(m, "rss_mb"));
    }

    private static double d(Map<?, ?> m, String k) {
        Object v = m.get(k);
        return v instanceof Number n ? n.doubleValue() : Double.NaN;
    }

    private static Double finite(double v) {
        return Double.isFinite(v) ? v : null;
    }

    private static String num(double v) {
        // enough digits to read back the same double; plain notation for the usual magnitudes
        String s = Double.toString(v);
        return s.contains("E") ? String.format(Locale.ROOT, "%.9g", v) : s;
    }

    /** A CSV file's bytes (Jackson CSV): a header, then the rows; cells quoted only where they must be. */
    private static byte[] csv(List<String> header, List<List<String>> rows) {
        CsvSchema.Builder schema = CsvSchema.builder();
        header.forEach(schema::addColumn);
        try {
            return Json.csv().writer(schema.build().withHeader().withLineSeparator("\n"))
                    .with(CsvGenerator.Feature.STRICT_CHECK_FOR_QUOTING).writeValueAsBytes(rows);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void write(Path file, byte[] content) {
        try {
            AtomicFiles.write(file, out -> out.write(content));
        } catch (IOException e) {
            throw new ConvkitException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }
}
