package org.convkit.model.layers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * torch.nn.MaxPool2d / AvgPool2d with torch's output-size arithmetic (incl. ceil_mode), so shapes
 * are inferred without running the operator. DJL's Pool helpers return lambdas that must execute
 * on a zero tensor to learn their output shape.
 */
public final class Pool2d extends AbstractBlock {
    private final boolean max;
    private final int kernel;
    private final int stride;
    private final int padding;
    private final boolean ceilMode;

    private Pool2d(boolean max, int kernel, int stride, int padding, boolean ceilMode) {
        this.max = max;
        this.kernel = kernel;
        this.stride = stride;
        this.padding = padding;
        this.ceilMode = ceilMode;
    }

    public static Pool2d max(int kernel, int stride, int padding, boolean ceilMode) {
        return new Pool2d(true, kernel, stride, padding, ceilMode);
    }

    public static Pool2d max(int kernel, int stride) {
        return new Pool2d(true, kernel, stride, 0, false);
    }

    public static Pool2d avg(int kernel, int stride) {
        return new Pool2d(false, kernel, stride, 0, false);
    }

    /** Max pooling (else average, counting padded zeros as torch's count_include_pad=True does). */
    public boolean isMax() {
        return max;
    }

    public int kernel() {
        return kernel;
    }

    public int stride() {
        return stride;
    }

    /** Zero padding on every side (-inf for max pooling). */
    public int padding() {
        return padding;
    }

    public boolean ceilMode() {
        return ceilMode;
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        Shape k = new Shape(kernel, kernel);
        Shape s = new Shape(stride, stride);
        Shape p = new Shape(padding, padding);
        NDArray y = max ? x.getNDArrayInternal().maxPool(k, s, p, ceilMode)
                : x.getNDArrayInternal().avgPool(k, s, p, ceilMode, true);
        return new NDList(y);
    }

    /**
     * Output length of one spatial axis, as torch computes it (pooling_output_shape): floor
     * division, or ceiling in ceil mode, where a window may hang over the edge as long as it starts
     * inside the (left-padded) input. So a 2-pixel input to a 3x3/2 ceil-mode pool gives 1 pixel
     * (GoogLeNet relies on this), a non-positive result means the input is too small.
     */
    public static long outLength(long in, int kernel, int stride, int padding, boolean ceil) {
        long out = Math.floorDiv(in + 2L * padding - (kernel - 1) - 1 + (ceil ? stride - 1 : 0), stride) + 1;
        if (ceil && (out - 1) * stride >= in + padding) {
            out--;
        }
        return out;
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputs) {
        Shape in = inputs[0];
        long h = outLength(in.get(2), kernel, stride, padding, ceilMode);
        long w = outLength(in.get(3), kernel, stride, padding, ceilMode);
        return new Shape[] {new Shape(in.get(0), in.get(1), h, w)};
    }

    @Override
    public String toString() {
        return (max ? "MaxPool2d" : "AvgPool2d")
                + "(k=" + kernel + ", s=" + stride
                + (padding > 0 ? ", p=" + padding : "")
                + (ceilMode ? ", ceil" : "") + ")";
    }
}
