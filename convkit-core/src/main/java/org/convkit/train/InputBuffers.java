package org.convkit.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.convkit.data.Batch;

/**
 * Turns a heap {@link Batch} into the two tensors a training step reads, through two native
 * buffers allocated once and reused for every batch.
 *
 * <p>DJL's {@code manager.create(float[])} allocates a fresh direct buffer per call and the tensor
 * points into it; the buffer is only freed when the garbage collector gets to it, so a training
 * loop leaves hundreds of megabytes of dead input buffers behind between collections, which an
 * allocator that keeps freed pages (jemalloc) never gives back. Reusing one buffer is safe because
 * a step's tensors are closed before the next batch is copied in. One place to make inputs is also
 * where a different memory layout (channels-last) would go.
 */
public final class InputBuffers {
    private ByteBuffer pixels = ByteBuffer.allocateDirect(0);
    private ByteBuffer labels = ByteBuffer.allocateDirect(0);

    /** The images as an (N, C, H, W) float32 tensor in {@code scope}, sharing the reused buffer. */
    public NDArray images(NDManager scope, Batch batch) {
        int n = batch.size() * batch.channels() * batch.height() * batch.width();
        pixels = ensure(pixels, n * Float.BYTES);
        pixels.asFloatBuffer().put(batch.data(), 0, n);
        return scope.create(pixels, new Shape(batch.size(), batch.channels(), batch.height(), batch.width()),
                DataType.FLOAT32);
    }

    /** The labels as an (N, K) int64 tensor in {@code scope}, sharing the reused buffer. */
    public NDArray labels(NDManager scope, Batch batch) {
        int n = batch.size() * batch.heads();
        labels = ensure(labels, n * Long.BYTES);
        int[] src = batch.labels();
        java.nio.LongBuffer dst = labels.asLongBuffer();
        for (int i = 0; i < n; i++) {
            dst.put(i, src[i]);
        }
        return scope.create(labels, new Shape(batch.size(), batch.heads()), DataType.INT64);
    }

    /** {@code b} cleared with its limit at {@code bytes}, or a larger buffer when it is too small. */
    private static ByteBuffer ensure(ByteBuffer b, int bytes) {
        ByteBuffer out = b.capacity() >= bytes ? b : ByteBuffer.allocateDirect(bytes).order(ByteOrder.nativeOrder());
        out.clear();
        out.limit(bytes);
        return out;
    }
}
