package org.convkit.core;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;

/**
 * The autograd facts DJL's API hides, in one place: {@code torch.no_grad()} for a block of code
 * ({@link #noGrad()}), whether a parameter has a gradient at all (DJL's {@code getGradient()}
 * invents zeros when there is none, where PyTorch says {@code None} and its optimizers skip the
 * parameter), zeroing one in place, and arithmetic with a constant that autograd may keep
 * ({@link #times}, {@link #over}).
 *
 * <p>convkit runs only the PyTorch engine, so this reaches into it directly. libtorch keeps grad
 * mode per thread and DJL only switches it off on the thread that loaded the engine; a loader or
 * worker thread starts with recording on, hence an explicit switch.
 */
public final class Autograd {
    private Autograd() {}

    /** A block without autograd recording, whatever the thread's state was; closing brings that back. */
    public static final class NoGrad implements AutoCloseable {
        private final boolean previous;

        private NoGrad() {
            previous = JniUtils.isGradMode();
            JniUtils.setGradMode(false);
        }

        @Override
        public void close() {
            JniUtils.setGradMode(previous);
        }
    }

    /** Switches recording off until the returned block is closed: {@code try (var g = Autograd.noGrad()) {...}}. */
    public static NoGrad noGrad() {
        return new NoGrad();
    }

    /**
     * The gradient of {@code param}, or {@code null} when backward never reached it. The returned
     * handle belongs to the parameter's manager: attach it to a scope that closes it.
     */
    public static NDArray gradient(NDArray param) {
        if (!param.hasGradient()) {
            return null;
        }
        return JniUtils.getGradient((PtNDArray) param);
    }

    /**
     * A 0-dim constant whose memory libtorch allocates and reference-counts. DJL's {@code
     * manager.create(2f)}, and so every {@code array.mul(2f)}, puts the number in a JVM direct
     * buffer and closes its handle right after the op; when autograd records the op it keeps a
     * tensor pointing into that buffer for backward, and a garbage collection in between frees it:
     * backward then reads whatever reused the memory (found as label smoothing's gradients going
     * to 1e13 after a GC between loss and backward). Constants made here stay valid as long as
     * any graph holds them.
     */
    public static NDArray constant(NDManager manager, double value, DataType type) {
        return manager.full(new Shape(), (float) value, type);
    }

    /** {@code x * c} with {@code c} a {@link #constant} of x's type: safe inside a recorded graph. */
    public static NDArray times(NDArray x, double c) {
        try (NDArray k = constant(x.getManager(), c, x.getDataType())) {
            return x.mul(k);
        }
    }

    /** {@code x / d} with {@code d} a {@link #constant} of x's type: safe inside a recorded graph. */
    public static NDArray over(NDArray x, double d) {
        try (NDArray k = constant(x.getManager(), d, x.getDataType())) {
            return x.div(k);
        }
    }

    /** {@code param.grad.zero_()}, keeping the buffer (PyTorch 1.13's zero_grad default). */
    public static void zeroGradient(NDArray param) {
        if (param.hasGradient()) {
            JniUtils.zeroGrad((PtNDArray) param);
        }
    }
}
