package org.convkit.model.layers;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.BlockList;
import ai.djl.nn.convolutional.Convolution;

/**
 * Shape checks used during shape inference: they find the layer where an input that is too small
 * for the network runs out of pixels, without running anything.
 */
public final class Shapes {
    private Shapes() {}

    /** Thrown when a layer's output has no pixels left: the input is too small for the network. */
    public static final class InputTooSmall extends RuntimeException {
        private static final long serialVersionUID = 1L;

        InputTooSmall(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * The output shapes of {@code block} for {@code inputs}, checked: throws {@link InputTooSmall}
     * naming {@code where} when an output would be empty. Used by every container's shape
     * inference, so the error points at the layer where the size vanishes.
     */
    public static Shape[] outputOf(Block block, Shape[] inputs, String where) {
        if (block instanceof Convolution c) {
            requireKernelFits(c, inputs[0], where);
        }
        Shape[] out = block.getOutputShapes(inputs);
        requirePositive(out, block, where);
        return out;
    }

    /**
     * The output shapes of {@code parent}'s children run one after another on {@code inputs}, each
     * checked by {@link #outputOf} under its name ({@link BlockNames#child}): the shape inference of
     * every sequence, named ({@link Named}) or by position ({@link Seq}).
     */
    public static Shape[] chain(Block parent, Shape[] inputs) {
        BlockList children = parent.getChildren();
        Shape[] shapes = inputs;
        for (int i = 0; i < children.size(); i++) {
            shapes = outputOf(children.valueAt(i), shapes, BlockNames.child(parent, i));
        }
        return shapes;
    }

    public static void requirePositive(Shape[] shapes, Block block, String where) {
        for (Shape s : shapes) {
            for (long d : s.getShape()) {
                if (d <= 0) {
                    throw new InputTooSmall("output of " + where + " (" + block + ") would be " + s);
                }
            }
        }
    }

    /**
     * torch refuses a convolution whose (padded) input is smaller than its (dilated) kernel. DJL's
     * output-size formula truncates toward zero and reports 1 pixel in some of those cases (e.g. a
     * 6-pixel input to AlexNet's 11x11/4 conv), so this is checked separately.
     */
    private static void requireKernelFits(Convolution c, Shape in, String where) {
        for (int i = 0; i < c.getKernelShape().dimension(); i++) {
            long padded = in.get(2 + i) + 2 * c.getPadding().get(i);
            long span = c.getDilation().get(i) * (c.getKernelShape().get(i) - 1) + 1;
            if (padded < span) {
                throw new InputTooSmall("input of " + where + " (" + c + ") is " + in
                        + ", smaller than its " + c.getKernelShape() + " kernel");
            }
        }
    }
}
