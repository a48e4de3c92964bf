package org.convkit.data.source;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Labels written as text (a CSV column, a JSON value, a part of a file name) turned into class
 * indices, one rule for every label source: a label is a class name, or a class index when every
 * label is a whole number. Without given class names the classes are the sorted distinct names,
 * or "0".."max" for index labels (numeric order: Food-11's "10" comes after "9").
 */
final class TextLabels {
    private final List<String> classes;
    private final Map<String, Integer> byName = new HashMap<>();

    /**
     * @param classes the class names to use (the train split's, or {@code --class-names}), or
     *     {@code null} to take them from {@code labels}
     * @param labels every label the source holds (used only when {@code classes} is null)
     */
    TextLabels(List<String> classes, Collection<String> labels) {
        this.classes = classes != null ? List.copyOf(classes) : classesOf(labels);
        for (int i = 0; i < this.classes.size(); i++) {
            byName.put(this.classes.get(i), i);
        }
    }

    List<String> classes() {
        return classes;
    }

    /** The class index of {@code label}, or null when it is neither a class name nor an index in range. */
    Integer index(String label) {
        Integer c = byName.get(label);
        if (c == null) {
            c = number(label);
            if (c != null && (c < 0 || c >= classes.size())) {
                c = null;
            }
        }
        return c;
    }

    /** The reason a label was refused, for the skipped list. */
    String refusal(String label) {
        return "label '" + label + "' is not a class name nor an index in 0.." + (classes.size() - 1);
    }

    private static List<String> classesOf(Collection<String> labels) {
        int max = -1;
        boolean allIndices = true;
        Set<String> names = new TreeSet<>();
        for (String l : labels) {
            names.add(l);
            Integer i = number(l);
            if (i == null) {
                allIndices = false;
            } else {
                max = Math.max(max, i);
            }
        }
        return allIndices ? Idx.digits(max + 1) : new ArrayList<>(names);
    }

    /** The label as a whole number, or null. */
    static Integer number(String s) {
        try {
            return Integer.valueOf(s);
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
