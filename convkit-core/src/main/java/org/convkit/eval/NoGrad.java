package org.convkit.eval;

import ai.djl.pytorch.jni.JniUtils;

/**
 * {@code torch.no_grad()} for a block of code: no autograd graph is recorded, whatever the
 * thread's state was, and the previous state comes back on close.
 *
 * <p>libtorch keeps grad mode per thread and DJL only switches it off on the thread that loaded
 * the engine; a loader or worker thread starts with recording on. DJL's API has no engine-neutral
 * switch, so this uses the PyTorch engine's own (the only engine convkit runs).
 */
public final class NoGrad implements AutoCloseable {
    private final boolean previous;

    private NoGrad() {
        previous = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
    }

    /** Switches recording off until {@link #close()}. */
    public static NoGrad enter() {
        return new NoGrad();
    }

    @Override
    public void close() {
        JniUtils.setGradMode(previous);
    }
}
