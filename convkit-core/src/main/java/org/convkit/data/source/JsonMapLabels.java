package org.convkit.data.source;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.convkit.core.ConvkitException;
import org.convkit.core.Json;
import org.convkit.data.Skipped;

/**
 * A JSON object mapping image files to labels, {@code {"cat.0.jpg": "cat", "img/7.png": 3}}: a
 * label is a class name or a class index (see {@link TextLabels}). Paths are relative to the
 * image folder (see {@link LabelFiles#imageDir}); entries are read in file-name order, so the order
 * never depends on how the JSON was written.
 */
public final class JsonMapLabels {
    private JsonMapLabels() {}

    /** True when {@code json} is a non-empty object whose values are all strings or whole numbers. */
    public static boolean matches(Path json) {
        JsonNode root = LabelFiles.nonEmptyObject(json);
        if (root == null) {
            return false;
        }
        for (JsonNode v : root) {
            if (!(v.isTextual() || v.isIntegralNumber())) {
                return false;
            }
        }
        return true;
    }

    /**
     * @param imageDir the folder paths are relative to
     * @param classes the classes to use (the train split's or {@code --class-names}), or null to
     *     take them from the labels
     * @param split for the skipped list
     */
    public static FolderScan read(Path json, Path imageDir, List<String> classes, String split) {
        Map<String, String> items = new TreeMap<>();
        List<Skipped> skipped = new ArrayList<>();
        try {
            JsonNode root = Json.mapper().readTree(json.toFile());
            if (root == null || !root.isObject()) {
                throw new ConvkitException(json + ": expected an object {\"file.jpg\": \"label\", ...}");
            }
            for (Map.Entry<String, JsonNode> e : root.properties()) {
                JsonNode v = e.getValue();
                if (v.isTextual() && !v.asText().isBlank() || v.isIntegralNumber()) {
                    items.put(e.getKey(), v.asText().strip());
                } else {
                    skipped.add(new Skipped(split, LabelFiles.id(e.getKey()), json + " entry \"" + e.getKey() + "\"",
                            "expected a label (a class name or index), got " + v));
                }
            }
        } catch (IOException e) {
            throw new ConvkitException(json + ": not valid JSON (" + e.getMessage() + ")", e);
        }
        List<LabelFiles.Row> rows = new ArrayList<>();
        items.forEach((name, label) -> rows.add(new LabelFiles.Row(name, label, json + " entry \"" + name + "\"")));
        FolderScan scan = LabelFiles.scan(rows, classes, imageDir, split, skipped);
        if (scan.entries().isEmpty()) {
            throw new ConvkitException(json + ": no usable entries (" + skipped.size() + " left out"
                    + (skipped.isEmpty() ? "" : "; e.g. " + skipped.get(0).file() + ": " + skipped.get(0).reason())
                    + "). Images are looked for in " + imageDir + " (set --images).");
        }
        return scan;
    }
}
