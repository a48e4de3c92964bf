package org.convkit.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import java.util.List;

/** Copies a network's per-head scores to the heap, so the caller can close its arrays at once. */
public final class HostScores {
    private HostScores() {}

    /**
     * @param logits one array per head, shape (N, classes), any float type, any device
     * @param classes expected width
     * @return per head, N*classes floats row-major
     */
    public static float[][] copy(List<NDArray> logits, int classes) {
        float[][] host = new float[logits.size()][];
        for (int h = 0; h < host.length; h++) {
            NDArray a = logits.get(h);
            if (a.getShape().dimension() != 2 || a.getShape().get(1) != classes) {
                throw new IllegalArgumentException(
                        "head " + h + " scores have shape " + a.getShape() + ", expected (N, " + classes + ")");
            }
            if (a.getDataType() == DataType.FLOAT32) {
                host[h] = a.toFloatArray();
            } else {
                // a converted copy belongs to us: close it at once
                try (NDArray f = a.toType(DataType.FLOAT32, true)) {
                    host[h] = f.toFloatArray();
                }
            }
        }
        return host;
    }
}
