package org.convkit.model.weights;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How a file's tensors matched a network's parameters.
 *
 * @param source the file (or checkpoint directory) the tensors came from
 * @param keyStyle "pytorch" (keys as the family's reference PyTorch implementation names them:
 *     torchvision, d2l ...) or "convkit"
 *     (our parameter paths, as checkpoints store them)
 * @param loaded parameters that received values
 * @param missing keys the network has and the file lacks
 * @param unexpected keys the file has and the network lacks
 * @param wrongShape keys both have, with "key: file [..] model [..]" (or a dtype that is not a
 *     floating-point type)
 * @param skipped keys deliberately not loaded (the classifier under --ignore-head)
 * @param byPosition when the names did not match and the tensors were lined up by position
 *     ({@code keyStyle} "position"): one "file key -> network key [shape]" per tensor, in order;
 *     else empty
 */
public record LoadReport(
        String source,
        String keyStyle,
        int loaded,
        List<String> missing,
        List<String> unexpected,
        List<String> wrongShape,
        List<String> skipped,
        List<String> byPosition) {

    /** At most this many keys are listed one by one; longer lists are grouped by module. */
    private static final int LIST_LIMIT = 12;

    public LoadReport {
        missing = List.copyOf(missing);
        unexpected = List.copyOf(unexpected);
        wrongShape = List.copyOf(wrongShape);
        skipped = List.copyOf(skipped);
        byPosition = byPosition == null ? List.of() : List.copyOf(byPosition);
    }

    /**
     * What was loaded, for the user: "loaded 62 tensors from F (pytorch keys)", the classifier
     * left fresh if it was, and the whole mapping when the tensors were matched by position (the
     * user must be able to check it).
     */
    public String summary() {
        StringBuilder sb = new StringBuilder("loaded " + loaded + " tensors from " + source + " (" + keyStyle + " keys");
        if (!skipped.isEmpty()) {
            sb.append("; classifier left fresh: ").append(String.join(", ", skipped));
        }
        sb.append(")");
        if (!byPosition.isEmpty()) {
            sb.append("; the file's names differ from the network's, so its tensors were matched by position"
                    + " (same order, shape and kind: weight, bias, running_mean ...):");
            byPosition.forEach(m -> sb.append("\n  ").append(m));
        }
        return sb.toString();
    }

    /** True if every parameter was loaded and nothing in the file was left over. */
    public boolean complete() {
        return missing.isEmpty() && unexpected.isEmpty() && wrongShape.isEmpty();
    }

    /** The problems, one group per kind, for an error message. */
    public String problems() {
        StringBuilder sb = new StringBuilder();
        section(sb, "wrong shape", wrongShape);
        section(sb, "missing from the file", missing);
        section(sb, "unexpected in the file", unexpected);
        return sb.toString();
    }

    private static void section(StringBuilder sb, String title, List<String> keys) {
        if (keys.isEmpty()) {
            return;
        }
        sb.append("\n  ").append(title).append(" (").append(keys.size()).append("):");
        if (keys.size() <= LIST_LIMIT) {
            for (String k : keys) {
                sb.append("\n    ").append(k);
            }
            return;
        }
        // a whole block or stage differs: say which modules, not 300 keys
        Map<String, List<String>> groups = new LinkedHashMap<>();
        for (String k : keys) {
            groups.computeIfAbsent(module(k), m -> new ArrayList<>()).add(k);
        }
        List<String> lines = new ArrayList<>();
        groups.forEach((m, ks) -> lines.add(ks.size() == 1 ? ks.get(0) : m + ".* (" + ks.size() + " keys)"));
        int shown = Math.min(lines.size(), LIST_LIMIT);
        for (int i = 0; i < shown; i++) {
            sb.append("\n    ").append(lines.get(i));
        }
        if (lines.size() > shown) {
            sb.append("\n    ... and ").append(lines.size() - shown).append(" more modules");
        }
    }

    /** The module a key belongs to: all but its last name, up to two levels ("layer4.1"). */
    private static String module(String entry) {
        String key = entry.split("[ :]", 2)[0];
        String[] parts = key.split("\\.");
        int keep = Math.min(2, parts.length - 1);
        return keep <= 0 ? key : String.join(".", java.util.Arrays.copyOf(parts, keep));
    }
}
