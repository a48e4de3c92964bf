package org.convkit.model.weights;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.convkit.core.ConvkitException;

/**
 * {@code --key-map FILE}: renames a weights file's keys before they are matched to the network, for
 * the files whose names neither match nor line up by position (a model defined another way, extra
 * tensors to leave out). A text file, one rule per line, {@code #} starts a comment:
 *
 * <pre>
 *   # FROM                TO
 *   features.            net.          a prefix (FROM ends with "."): features.0.weight -> net.0.weight
 *   classifier.weight    net.11.weight an exact key
 *   body.                .             "." as TO removes the prefix: body.conv1.weight -> conv1.weight
 *   aux_logits.          -             "-" drops the tensors: aux_logits.* are not loaded
 * </pre>
 *
 * The first rule that matches a key applies; keys no rule matches keep their names. The renamed
 * keys are then matched as any file's are (PyTorch key names or convkit paths). A rule that matches
 * no key, or two keys renamed to one name, is an error naming the line: a map that silently does
 * nothing is the mistake it exists to fix.
 */
public final class KeyMap implements java.io.Serializable {
    private static final long serialVersionUID = 1L;

    /** No renaming. */
    public static final KeyMap NONE = new KeyMap("", List.of());

    private record Rule(int line, String from, String to) implements java.io.Serializable {
        boolean prefix() {
            return from.endsWith(".");
        }

        boolean matches(String key) {
            return prefix() ? key.startsWith(from) : key.equals(from);
        }

        /** The new name, or null to drop the tensor. */
        String rename(String key) {
            if (to.equals("-")) {
                return null;
            }
            if (!prefix()) {
                return to;
            }
            String rest = key.substring(from.length());
            return to.equals(".") ? rest : to + rest;
        }
    }

    private final String source;
    private final List<Rule> rules;

    private KeyMap(String source, List<Rule> rules) {
        this.source = source;
        this.rules = List.copyOf(rules);
    }

    /** Reads the rules of {@code file}. */
    public static KeyMap read(Path file) {
        try {
            return parse(Files.readString(file), file.toString());
        } catch (IOException e) {
            throw new ConvkitException("--key-map " + file + ": cannot read (" + e.getMessage() + ")", e);
        }
    }

    /**
     * Parses rules from {@code text}.
     *
     * @param source names the rules in messages (the file)
     */
    public static KeyMap parse(String text, String source) {
        List<Rule> rules = new ArrayList<>();
        String[] lines = text.split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            int hash = line.indexOf('#');
            String[] parts = (hash >= 0 ? line.substring(0, hash) : line).trim().split("\\s+");
            if (parts.length == 1 && parts[0].isEmpty()) {
                continue;
            }
            if (parts.length != 2) {
                throw new ConvkitException("--key-map " + source + " line " + (i + 1) + ": '" + line.trim()
                        + "'; expected FROM TO (a key or a prefix ending in '.', then its new name, '.' to remove"
                        + " the prefix or '-' to drop it)");
            }
            if (!parts[0].endsWith(".") && parts[1].equals(".")) {
                throw new ConvkitException("--key-map " + source + " line " + (i + 1) + ": '.' removes a prefix, and "
                        + parts[0] + " is a key, not a prefix (end it with '.')");
            }
            rules.add(new Rule(i + 1, parts[0], parts[1]));
        }
        if (rules.isEmpty()) {
            throw new ConvkitException("--key-map " + source + ": no rules (one per line: FROM TO)");
        }
        return new KeyMap(source, rules);
    }

    public boolean isEmpty() {
        return rules.isEmpty();
    }

    /**
     * {@code entries} (tensors, or their shapes) under their new names, in the file's order.
     *
     * @throws ConvkitException naming the line of a rule that matched nothing, or two keys that
     *     became one name
     */
    public <T> Map<String, T> apply(Map<String, T> entries) {
        if (rules.isEmpty()) {
            return entries;
        }
        boolean[] used = new boolean[rules.size()];
        Map<String, T> out = new LinkedHashMap<>();
        Map<String, String> origin = new LinkedHashMap<>();
        for (Map.Entry<String, T> e : entries.entrySet()) {
            String key = e.getKey();
            String name = key;
            for (int r = 0; r < rules.size(); r++) {
                if (rules.get(r).matches(key)) {
                    used[r] = true;
                    name = rules.get(r).rename(key);
                    break;
                }
            }
            if (name == null) {
                continue;
            }
            String before = origin.put(name, key);
            if (before != null) {
                throw new ConvkitException("--key-map " + source + ": " + before + " and " + key + " both become "
                        + name);
            }
            out.put(name, e.getValue());
        }
        for (int r = 0; r < rules.size(); r++) {
            if (!used[r]) {
                Rule rule = rules.get(r);
                throw new ConvkitException("--key-map " + source + " line " + rule.line() + ": " + rule.from()
                        + " matches no key of the weights file (its keys begin " + firstKeys(entries) + ")");
            }
        }
        return out;
    }

    private static String firstKeys(Map<String, ?> entries) {
        List<String> keys = new ArrayList<>(entries.keySet());
        return keys.size() <= 6 ? keys.toString() : keys.subList(0, 6) + "...";
    }

    @Override
    public String toString() {
        return rules.isEmpty() ? "no key map" : "key map " + source + " (" + rules.size() + " rules)";
    }
}
