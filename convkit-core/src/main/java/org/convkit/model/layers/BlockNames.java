package org.convkit.model.layers;

import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.util.Pair;
import java.util.Locale;

/**
 * Our name for a child block, as PyTorch would call it: the position in a Sequential ("0", "1"),
 * otherwise the name it was added under. DJL stores children as "01conv1" (a two-digit position
 * prefix), which is stripped here by position, not by guessing at digits.
 */
public final class BlockNames {
    private BlockNames() {}

    public static String child(Block parent, int index) {
        if (parent instanceof SequentialBlock) {
            return String.valueOf(index);
        }
        Pair<String, Block> c = parent.getChildren().get(index);
        return strip(c.getKey(), index);
    }

    /** Strips DJL's position prefix from the key of the child at {@code index}. */
    public static String strip(String key, int index) {
        String prefix = String.format(Locale.ROOT, "%02d", index + 1);
        return key.startsWith(prefix) ? key.substring(prefix.length()) : key;
    }
}
