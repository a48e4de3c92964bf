package org.convkit.eval;

import java.util.Locale;
import org.convkit.core.ConvkitException;

/**
 * Test-time augmentation: what an evaluation or prediction pass averages over. {@code FLIP} runs
 * every image as it is and mirrored left-right and averages the two passes' logits (fastai's and
 * timm's flip TTA): a small gain for photos, a loss for data where a mirror image is another class
 * (digits, text). Twice the work per image.
 */
public enum Tta {
    NONE,
    FLIP;

    /** {@code none} or {@code flip}; {@code where} names the flag in the error. */
    public static Tta parse(String text, String where) {
        if (text == null) {
            return NONE;
        }
        return switch (text.trim().toLowerCase(Locale.ROOT)) {
            case "none" -> NONE;
            case "flip" -> FLIP;
            default -> throw new ConvkitException(where + " " + text + ": use none or flip (the mean of the logits of"
                    + " each image and its left-right mirror)");
        };
    }

    public String token() {
        return name().toLowerCase(Locale.ROOT);
    }
}
