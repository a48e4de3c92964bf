package org.convkit.model.weights;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.ShortBuffer;
import java.util.Set;

/**
 * Raw little-endian tensor bytes from a file to an NDArray, for the data types DJL's PyTorch
 * engine can be handed safely.
 *
 * <p>DJL 0.36 aborts the whole JVM (libtorch "terminate called without an active exception") when
 * asked to create a bfloat16 or int16 array from a buffer. bfloat16 is therefore widened to float32
 * here (exact: a bfloat16 is the upper half of a float32), and types outside {@link #SUPPORTED}
 * are refused with a message instead of reaching the engine.
 */
final class TensorBytes {
    static final Set<DataType> SUPPORTED = Set.of(DataType.FLOAT32, DataType.FLOAT64, DataType.FLOAT16,
            DataType.BFLOAT16, DataType.INT64, DataType.INT32, DataType.INT8, DataType.UINT8, DataType.BOOLEAN);

    private TensorBytes() {}

    /** The type an array of {@code stored} type becomes in memory (bfloat16 -> float32). */
    static DataType inMemory(DataType stored) {
        return stored == DataType.BFLOAT16 ? DataType.FLOAT32 : stored;
    }

    /** True if {@link #create} accepts the type. */
    static boolean supported(DataType t) {
        return SUPPORTED.contains(t);
    }

    /**
     * Creates an array of {@code shape} from {@code bytes} (little-endian, stored as {@code type})
     * in {@code manager}. A direct buffer is taken over by the array and must not be reused.
     */
    static NDArray create(NDManager manager, ByteBuffer bytes, Shape shape, DataType type) {
        if (!supported(type)) {
            throw new IllegalArgumentException("tensors of type " + type + " are not supported");
        }
        ByteBuffer le = bytes.slice().order(ByteOrder.LITTLE_ENDIAN);
        if (type == DataType.BFLOAT16) {
            return manager.create(widenBfloat16(le), shape, DataType.FLOAT32);
        }
        // a direct buffer becomes the array's memory (the array keeps it alive); a heap buffer is
        // copied by DJL. Either way the bytes are little-endian, the order of every machine
        // libtorch runs on here (x86-64, aarch64).
        return manager.create(le, shape, type);
    }

    /** bfloat16 bits are a float32's upper 16 bits: shift them back into place. */
    static ByteBuffer widenBfloat16(ByteBuffer le) {
        ShortBuffer in = le.slice().order(ByteOrder.LITTLE_ENDIAN).asShortBuffer();
        ByteBuffer out = ByteBuffer.allocate(in.remaining() * 4).order(ByteOrder.LITTLE_ENDIAN);
        FloatBuffer f = out.asFloatBuffer();
        while (in.hasRemaining()) {
            f.put(Float.intBitsToFloat((in.get() & 0xffff) << 16));
        }
        return out;
    }
}
