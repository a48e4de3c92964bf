package org.convkit.model.layers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import org.convkit.core.EngineSettings.Layout;

/**
 * Channels-last storage for convolution weights ({@code model.to(memory_format=torch.channels_last)}
 * in PyTorch). The arrays keep their logical NCHW shape and values; only the order in memory
 * becomes N, H, W, C. libtorch's oneDNN convolutions then run in NHWC directly: a channels-last
 * weight makes every convolution take the NHWC path, its output is NHWC, and BatchNorm, ReLU,
 * pooling and the residual adds keep that layout, so no layer reorders data back and forth.
 *
 * <p>DJL has no memory-format API; the NHWC copy is made with a transpose and a reshape (which
 * copies a non-contiguous view) and then put in place of the parameter's array with {@link
 * NDArray#intern}, so the Parameter, its name and its owner stay the same. Reading an array back
 * (toByteBuffer, checkpoints) still gives NCHW order: libtorch makes it contiguous first.
 *
 * <p>Which layout a network uses is its {@link org.convkit.core.EngineSettings}: on some CPUs
 * libtorch 2.7.1's oneDNN computes wrong channels-last convolutions or crashes in them, so
 * channels-last is used only where the engine self-check passed it (docs/engine.md).
 */
public final class MemoryFormat {
    private MemoryFormat() {}

    /**
     * Puts every initialized 4-D parameter of {@code block} (the convolution weights) in {@code
     * layout}'s storage. Call it once the parameters have their values and again after code
     * replaces parameter data (loading weights writes NCHW storage). Each call copies the conv
     * weights once (ResNet-18: 45 MB).
     */
    public static void apply(Block block, Layout layout) {
        for (Pair<String, Parameter> named : block.getParameters()) {
            Parameter p = named.getValue();
            if (!p.isInitialized()) {
                continue;
            }
            NDArray w = p.getArray();
            if (w.getShape().dimension() != 4) {
                continue;
            }
            boolean grad = w.hasGradient();
            w.intern(to(w, layout));
            if (grad) {
                w.setRequiresGradient(true);
            }
        }
    }

    /** A copy of a 4-D array in {@code layout}'s storage (same shape and values). */
    public static NDArray to(NDArray x, Layout layout) {
        return layout == Layout.CHANNELS_LAST ? toChannelsLast(x) : toNchw(x);
    }

    /**
     * A channels-last copy of a 4-D array (same shape and values), attached to its manager: a
     * tensor of its own, not a view (autograd forbids in-place updates of views made without
     * gradient recording, and for C = 1 the NHWC views would alias the original).
     */
    public static NDArray toChannelsLast(NDArray x) {
        // for C = 1 the NHWC view is already contiguous and the reshapes stay views: the result
        // then only gets channels-last strides, which is what makes libtorch pick the NHWC path
        Shape s = x.getShape();
        long n = s.get(0);
        try (NDArray nhwc = x.transpose(0, 2, 3, 1);
                NDArray flat = nhwc.reshape(n, -1); // a permuted array cannot be viewed flat: copies, NHWC order
                NDArray back = flat.reshape(n, s.get(2), s.get(3), s.get(1));
                NDArray view = back.transpose(0, 3, 1, 2)) {
            return view.duplicate(); // clone keeps the strides of a dense array
        }
    }

    /** A contiguous NCHW copy of a 4-D array stored in any layout (same shape and values). */
    public static NDArray toNchw(NDArray x) {
        // reshape of a channels-last array to 1-D cannot be a view: libtorch copies it in logical
        // (NCHW) order; of an NCHW array it is a view, hence the final copy either way
        try (NDArray flat = x.reshape(-1);
                NDArray back = flat.reshape(x.getShape())) {
            return back.duplicate();
        }
    }
}
