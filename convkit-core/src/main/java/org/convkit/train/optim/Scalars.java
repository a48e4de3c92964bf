package org.convkit.train.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.HashMap;
import java.util.Map;
import org.convkit.core.Autograd;

/**
 * 0-dim float tensors for the constants of one optimizer step. DJL turns every {@code
 * array.mul(0.9)} into "create a tensor, multiply, free it"; making each distinct constant once
 * per step and reusing it for every parameter saves two native calls per operation.
 *
 * <p>Constants are float32, as PyTorch applies a Python float to a float32 tensor, and made by
 * libtorch ({@link Autograd#constant}): no JVM buffer per constant.
 */
final class Scalars {
    private final NDManager manager;
    private final Map<Float, NDArray> cache = new HashMap<>();

    Scalars(NDManager manager) {
        this.manager = manager;
    }

    NDArray of(double value) {
        return cache.computeIfAbsent((float) value, v -> Autograd.constant(manager, v, DataType.FLOAT32));
    }
}
