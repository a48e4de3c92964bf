package org.convkit.model.layers;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;

/** Shape checks used during shape inference. */
public final class Shapes {
    private Shapes() {}

    /** Thrown when a layer's output has no pixels left: the input is too small for the network. */
    public static final class InputTooSmall extends RuntimeException {
        private static final long serialVersionUID = 1L;

        InputTooSmall(String message) {
            super(message, null, false, false);
        }
    }

    public static void requirePositive(Shape[] shapes, Block block, String where) {
        for (Shape s : shapes) {
            for (long d : s.getShape()) {
                if (d <= 0) {
                    throw new InputTooSmall(
                            "output of " + where + " (" + block + ") would be " + s);
                }
            }
        }
    }
}
