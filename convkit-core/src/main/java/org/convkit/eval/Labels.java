package org.convkit.eval;

import java.util.List;

/** Class indices as people read them. */
public final class Labels {
    private Labels() {}

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
