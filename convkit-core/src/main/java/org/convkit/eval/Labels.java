package org.convkit.eval;

import java.util.List;

/** Class indices as people read them. */
public final class Labels {
    private Labels() {}

    /**
     * The blank class of a model or data with {@code heads} labels per sample: the class named
     * "blank" that pads a digit sequence shorter than the heads, or -1.
     */
    public static int blank(List<String> classes, int heads) {
        return heads > 1 ? classes.indexOf("blank") : -1;
    }

    /**
     * The class name for one head; for K heads the class names of the non-blank positions joined
     * ("1", "7", blank -> "17"), what a street number reads.
     *
     * @param blank the blank class, or -1
     */
    public static String text(int[] perHead, List<String> classes, int blank) {
        if (perHead.length == 1) {
            return classes.get(perHead[0]);
        }
        StringBuilder s = new StringBuilder();
        for (int c : perHead) {
            if (c != blank) {
                s.append(classes.get(c));
            }
        }
        return s.toString();
    }
}
