package org.convkit.model.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.Map;
import org.convkit.core.EngineSettings;

/**
 * One computation the self-check runs on a path and compares with a float64 reference computed on
 * the same machine: e.g. a 1x1 convolution of resnet50's bottleneck, forward and backward.
 *
 * <p>A probe computes the same thing twice: once under the path's settings in float32 (its
 * precision applied by the layers), once under {@link EngineSettings#PLAIN} in float64 (libtorch
 * runs float64 convolutions in its own reference kernels, not oneDNN's). Its inputs must be the same
 * numbers both times (draw them from {@link ProbeInputs}), and it must run the code the networks
 * run (the zoo's layer factories, {@code MemoryFormat}, {@code BatchNormFolding}, inside an {@code
 * EngineScope}), so that what passes here is what a network does.
 */
public interface Probe {
    /** Short and unique, e.g. "conv 1x1 256->64 @56x56, batch 2". */
    String name();

    /** Which networks run this computation, for messages ("resnet50 bottleneck"). */
    String usedBy();

    /**
     * The outputs under {@code settings}, computing in {@code dtype}: named ("forward", "grad
     * input", "grad weight" ...), owned by {@code manager}.
     */
    Map<String, NDArray> run(NDManager manager, EngineSettings settings, DataType dtype);

    /**
     * The largest relative error (max |path - reference| / max |reference|) {@code quantity} may
     * show under {@code settings}.
     */
    double tolerance(String quantity, EngineSettings settings);
}
