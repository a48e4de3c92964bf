package org.convkit.train;

import java.util.Locale;
import org.convkit.core.ConvkitException;
import org.convkit.eval.EvalResult;

/**
 * What "best" means for a run ({@code --monitor}): the validation metric that picks {@code
 * checkpoints/best} and that early stopping ({@code --patience}) waits on. Accuracy by default;
 * the loss when accuracy is too coarse to move (few validation images, or a model already near
 * the top), as Keras' and Lightning's {@code monitor="val_loss"}.
 */
public enum Monitor {
    VALID_ACC("valid_acc", "valid accuracy"),
    VALID_LOSS("valid_loss", "valid loss");

    private final String key;
    private final String label;

    Monitor(String key, String label) {
        this.key = key;
        this.label = label;
    }

    /** The {@code --monitor} value, {@code valid_acc} (null) or {@code valid_loss}. */
    public static Monitor parse(String value) {
        if (value == null) {
            return VALID_ACC;
        }
        for (Monitor m : values()) {
            if (m.key.equals(value.toLowerCase(Locale.ROOT))) {
                return m;
            }
        }
        throw new ConvkitException("--monitor " + value + ": valid_acc or valid_loss");
    }

    /** The validation result as a score where higher is better (the loss negated). */
    public double score(EvalResult v) {
        return this == VALID_ACC ? v.accuracy() : -v.loss();
    }

    /** A score ({@link #score}) as people read it: "valid accuracy 91.23%", "valid loss 0.2345". */
    public String describe(double score) {
        return this == VALID_ACC ? String.format(Locale.ROOT, "%s %.2f%%", label, 100 * score)
                : String.format(Locale.ROOT, "%s %.4f", label, -score);
    }

    public String label() {
        return label;
    }

    @Override
    public String toString() {
        return key;
    }
}
