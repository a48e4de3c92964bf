package org.convkit.data.source;

import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.convkit.core.ConvkitException;
import org.convkit.core.Json;
import org.convkit.data.Skipped;

/**
 * A CSV label file, {@code path,label} per row (RFC 4180 quoting; a header row is optional). The
 * label is a class name, or a class index when every label is a whole number. Paths are relative
 * to the image folder (see {@link LabelFiles#imageDir}).
 */
public final class CsvLabels {
    private static final Set<String> PATH_HEADERS = Set.of("path", "file", "filename", "file_name", "image", "img", "id", "image_id", "name");
    private static final Set<String> LABEL_HEADERS = Set.of("label", "class", "category", "target", "y", "class_name");

    private CsvLabels() {}

    /**
     * @param csv the label file
     * @param imageDir the folder paths are relative to
     * @param classes the class names (the train split's, or given by the user) or {@code null} to
     *     take them from this file: sorted names, or "0".."max" for index labels
     * @param split for the skipped list
     */
    public static FolderScan read(Path csv, Path imageDir, List<String> classes, String split) {
        List<String[]> rows = rows(csv);
        int pathCol = 0;
        int labelCol = 1;
        int first = 0;
        if (!rows.isEmpty() && isHeader(rows, imageDir)) {
            String[] h = rows.get(0);
            for (int c = 0; c < h.length; c++) {
                String name = h[c].trim().toLowerCase(Locale.ROOT);
                if (PATH_HEADERS.contains(name)) {
                    pathCol = c;
                } else if (LABEL_HEADERS.contains(name)) {
                    labelCol = c;
                }
            }
            first = 1;
        }
        List<Skipped> skipped = new ArrayList<>();
        List<LabelFiles.Row> usable = new ArrayList<>();
        for (int r = first; r < rows.size(); r++) {
            String[] row = rows.get(r);
            if (row.length == 1 && row[0].isBlank()) {
                continue;
            }
            if (row.length <= Math.max(pathCol, labelCol) || row[labelCol].isBlank()) {
                skipped.add(new Skipped(split, row.length > 0 ? row[0] : "", csv + " line " + (r + 1),
                        "expected 'path,label', got '" + String.join(",", row) + "'"));
                continue;
            }
            usable.add(new LabelFiles.Row(row[pathCol].trim(), row[labelCol].trim(), csv + " line " + (r + 1)));
        }
        FolderScan scan = LabelFiles.scan(usable, classes, imageDir, split, skipped);
        if (scan.entries().isEmpty()) {
            throw new ConvkitException(csv + ": no usable rows (" + skipped.size() + " left out"
                    + (skipped.isEmpty() ? ", the file is empty" : "; e.g. " + skipped.get(0).file() + ": " + skipped.get(0).reason())
                    + "). Expected rows 'path,label' with paths relative to " + imageDir + ".");
        }
        return scan;
    }

    private static List<String[]> rows(Path csv) {
        List<String[]> rows = new ArrayList<>();
        try (MappingIterator<String[]> it = Json.csv().readerFor(String[].class).with(CsvParser.Feature.WRAP_AS_ARRAY).readValues(csv.toFile())) {
            while (it.hasNext()) {
                rows.add(it.next());
            }
        } catch (IOException | RuntimeException e) {
            throw new ConvkitException(csv + ": not a readable CSV file (" + e.getMessage() + ")", e);
        }
        return rows;
    }

    /**
     * The first row is a header when its path names no file and it looks like column names: known
     * names, or a word above index labels, or no extension above a row whose file exists.
     */
    private static boolean isHeader(List<String[]> rows, Path imageDir) {
        String[] row = rows.get(0);
        if (row.length < 2) {
            return false;
        }
        String p = row[0].trim();
        if (java.nio.file.Files.exists(LabelFiles.resolve(imageDir, p))) {
            return false;
        }
        if (PATH_HEADERS.contains(p.toLowerCase(Locale.ROOT)) || LABEL_HEADERS.contains(row[1].trim().toLowerCase(Locale.ROOT))) {
            return true;
        }
        if (rows.size() < 2 || rows.get(1).length < 2) {
            return false;
        }
        String[] next = rows.get(1);
        boolean wordOverIndex = TextLabels.number(row[1].trim()) == null && TextLabels.number(next[1].trim()) != null;
        boolean nameOverFile = !p.contains(".") && java.nio.file.Files.exists(LabelFiles.resolve(imageDir, next[0].trim()));
        return wordOverIndex || nameOverFile;
    }
}
