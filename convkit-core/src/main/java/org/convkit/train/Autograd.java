package org.convkit.train;

import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;

/**
 * The few autograd facts DJL's API hides: whether a parameter has a gradient at all (DJL's {@code
 * getGradient()} invents zeros when there is none, where PyTorch says {@code None} and its
 * optimizers skip the parameter), and zeroing it in place.
 *
 * <p>convkit runs only the PyTorch engine, so this reaches into it directly.
 */
public final class Autograd {
    private Autograd() {}

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

    /** {@code param.grad.zero_()}, keeping the buffer (PyTorch 1.13's zero_grad default). */
    public static void zeroGradient(NDArray param) {
        if (param.hasGradient()) {
            JniUtils.zeroGrad((PtNDArray) param);
        }
    }
}
