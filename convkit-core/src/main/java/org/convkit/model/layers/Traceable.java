package org.convkit.model.layers;

import ai.djl.nn.Block;

/**
 * A block whose forward pass is more than its children run one after another (a residual block's
 * shortcut and sum), described as steps an exporter can follow: {@link #trace} replays the
 * forward pass on symbolic values instead of arrays. The ONNX exporter walks sequences, branches
 * ({@link Concat}) and the standard layers by itself; any other block that holds children must
 * implement this to be exported.
 */
public interface Traceable {

    /**
     * The forward pass in evaluation mode, in terms of {@code tracer}'s operations.
     *
     * @param input the block's input
     * @return its output
     */
    <V> V trace(Tracer<V> tracer, V input);

    /** What a traced forward pass may do, on values of type {@code V} (names of graph values). */
    interface Tracer<V> {
        /** Runs a child block (any block the exporter knows, or another Traceable). */
        V apply(Block block, V input);

        /** Element-wise sum of two values of the same shape. */
        V add(V a, V b);

        /** max(x, 0) element-wise. */
        V relu(V x);
    }
}
