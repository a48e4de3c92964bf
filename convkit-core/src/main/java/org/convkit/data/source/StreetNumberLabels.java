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
 * The Tianchi street-number JSON ({@code {"000000.png": {"label": [1, 9], "left": ..., ...}}}):
 * multi-digit labels, one head per position. Each label is padded at the end to K positions with
 * the blank class, so classes are "0".."9" then "blank" (index 10) and a sample's labels are
 * {@code [1, 9, 10, 10]} for "19" with K = 4.
 */
public final class StreetNumberLabels {
    /** "0".."9" then "blank". */
    public static final List<String> CLASSES =
            List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "blank");

    public static final int BLANK = 10;

    private StreetNumberLabels() {}

    /** True when {@code json} looks like this format (an object of objects with a "label" array). */
    public static boolean matches(Path json) {
        JsonNode root = LabelFiles.nonEmptyObject(json);
        if (root == null) {
            return false;
        }
        JsonNode first = root.elements().next();
        return first.isObject() && first.has("label");
    }

    /** The longest label in the file (the default K). */
    public static int longest(Path json) {
        int k = 0;
        for (JsonNode v : parse(json).values()) {
            JsonNode l = v.get("label");
            if (l != null) {
                k = Math.max(k, l.isArray() ? l.size() : 1);
            }
        }
        return k;
    }

    /**
     * @param heads K, the padded length (labels longer than it are skipped and listed)
     * @param split for the skipped list
     */
    public static FolderScan read(Path json, Path imageDir, int heads, String split) {
        Map<String, JsonNode> items = parse(json);
        List<Skipped> skipped = new ArrayList<>();
        List<FileEntry> entries = new ArrayList<>();
        long bytes = 0;
        for (Map.Entry<String, JsonNode> e : items.entrySet()) {
            String name = e.getKey();
            String id = LabelFiles.id(name);
            String where = json + " entry \"" + name + "\"";
            JsonNode l = e.getValue().get("label");
            List<Integer> digits = new ArrayList<>();
            if (l != null && l.isInt()) {
                digits.add(l.intValue());
            } else if (l != null && l.isArray()) {
                for (JsonNode d : l) {
                    digits.add(d.isInt() ? d.intValue() : -1);
                }
            }
            if (l == null || digits.isEmpty()) {
                skipped.add(new Skipped(split, id, where, "no \"label\" digits"));
                continue;
            }
            if (digits.stream().anyMatch(d -> d < 0 || d > 9)) {
                skipped.add(new Skipped(split, id, where, "label " + l + " has values outside the digits 0..9"));
                continue;
            }
            if (digits.size() > heads) {
                skipped.add(new Skipped(split, id, where, "label " + l + " has " + digits.size() + " digits, more than --heads " + heads));
                continue;
            }
            Path file = LabelFiles.resolve(imageDir, name);
            long size = LabelFiles.check(file, id, split, skipped);
            if (size < 0) {
                continue;
            }
            int[] labels = new int[heads];
            java.util.Arrays.fill(labels, BLANK);
            for (int i = 0; i < digits.size(); i++) {
                labels[i] = digits.get(i);
            }
            entries.add(new FileEntry(file, id, labels));
            bytes += size;
        }
        if (entries.isEmpty()) {
            throw new ConvkitException(json + ": no usable entries (" + skipped.size() + " left out"
                    + (skipped.isEmpty() ? "" : "; e.g. " + skipped.get(0).file() + ": " + skipped.get(0).reason())
                    + "). Images are looked for in " + imageDir + " (set --images).");
        }
        return new FolderScan(entries, CLASSES, skipped, List.of(), bytes);
    }

    /** The entries sorted by file name, so the order never depends on how the JSON was written. */
    private static Map<String, JsonNode> parse(Path json) {
        JsonNode root;
        try {
            root = Json.mapper().readTree(json.toFile());
        } catch (IOException e) {
            throw new ConvkitException(json + ": not valid JSON (" + e.getMessage() + ")", e);
        }
        if (root == null || !root.isObject()) {
            throw new ConvkitException(json + ": expected an object {\"000000.png\": {\"label\": [1, 9]}, ...}");
        }
        Map<String, JsonNode> out = new TreeMap<>();
        for (Map.Entry<String, JsonNode> e : root.properties()) {
            out.put(e.getKey(), e.getValue());
        }
        return out;
    }
}
