package org.convkit.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;

/**
 * Channels-last storage for convolution weights ({@code model.to(memory_format=torch.channels_last)}
 * in PyTorch). The arrays keep their logical NCHW shape and values; only the order in memory
 * becomes N, H, W, C. libtorch's oneDNN convolutions then run in NHWC directly: a channels-last
 * weight makes every convolution take the NHWC path, its output is NHWC, and BatchNorm, ReLU,
 * pooling and the residual adds keep that layout, so no layer reorders data back and forth.
 * Measured on a 2-core AVX-512 CPU (bench/RESULTS.md): ResNet-18 training 15-30% faster.
 *
 * <p>DJL has no memory-format API; the NHWC copy is made with a transpose and a reshape (which
 * copies a non-contiguous view) and then put in place of the parameter's array with {@link
 * NDArray#intern}, so the Parameter, its name and its owner stay the same. Reading an array back
 * (toByteBuffer, checkpoints) still gives NCHW order: libtorch makes it contiguous first.
 *
 * <p>Off by default: on some CPUs libtorch 2.7.1's oneDNN computes wrong channels-last convolutions
 * or crashes in them (a VM whose hypervisor reports no cache sizes), so NCHW stays the default until
 * the path has proved itself on the machine it runs on. {@code -Dconvkit.channels_last=true} forces it.
 */
public final class MemoryFormat {
    private MemoryFormat() {}

    /** Whether convkit stores convolution weights channels-last (off unless asked for). */
    public static boolean channelsLast() {
        return "true".equalsIgnoreCase(System.getProperty("convkit.channels_last", "false"));
    }

    /**
     * Puts every 4-D parameter of {@code net} (the convolution weights) in channels-last storage,
     * when {@link #channelsLast()}. Call it once the parameters have their values: {@link
     * ConvNet#initialize} does, and so must code that later replaces parameter data (loading
     * weights writes NCHW storage again). Each call copies the conv weights once (ResNet-18: 45 MB).
     */
    public static void apply(ConvNet net) {
        if (!channelsLast()) {
            return;
        }
        for (Parameter p : net.parametersByPath().values()) {
            if (!p.isInitialized()) {
                continue;
            }
            NDArray w = p.getArray();
            if (w.getShape().dimension() != 4) {
                continue;
            }
            boolean grad = w.hasGradient();
            w.intern(toChannelsLast(w));
            if (grad) {
                w.setRequiresGradient(true);
            }
        }
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
}
