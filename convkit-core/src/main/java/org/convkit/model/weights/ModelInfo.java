package org.convkit.model.weights;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.convkit.core.ConvkitException;

/**
 * What a checkpoint records about a model besides its architecture and weights: what its outputs
 * mean and what its inputs must look like. The architecture name and {@code ModelOptions} (class
 * count, input CxHxW ...) come from the network itself.
 *
 * @param classes class names in output order, one per class of a head; empty when unknown
 * @param mean per-channel mean the pixels (scaled to [0, 1]) were normalized with; {@code null} =
 *     none
 * @param std per-channel standard deviation of that normalization; {@code null} = none
 * @param extra free-form JSON-able facts a caller wants kept (e.g. the resize / crop used for
 *     evaluation, the dataset name); values come back as Jackson reads JSON (Integer, Long,
 *     Double, String, Boolean, List, Map)
 */
public record ModelInfo(List<String> classes, float[] mean, float[] std, Map<String, Object> extra)
        implements java.io.Serializable {

    /** ImageNet's normalization, what torchvision's pretrained weights expect. */
    public static final float[] IMAGENET_MEAN = {0.485f, 0.456f, 0.406f};

    public static final float[] IMAGENET_STD = {0.229f, 0.224f, 0.225f};

    /**
     * Key of {@link #extra}: the epoch (1-based) the weights are from; training writes it into
     * {@code checkpoints/best}, the run report reads it back.
     */
    public static final String EPOCH = "epoch";

    public ModelInfo {
        classes = classes == null ? List.of() : List.copyOf(classes);
        mean = mean == null ? null : mean.clone();
        std = std == null ? null : std.clone();
        extra = extra == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(extra));
        if ((mean == null) != (std == null)) {
            throw new IllegalArgumentException("normalization needs both mean and std");
        }
        if (mean != null && mean.length != std.length) {
            throw new IllegalArgumentException(
                    "normalization mean has " + mean.length + " channels, std " + std.length);
        }
        if (std != null) {
            for (float s : std) {
                if (!(s > 0)) {
                    throw new ConvkitException("normalization std " + Arrays.toString(std) + ": must be positive");
                }
            }
        }
    }

    /** Class names and normalization, nothing extra. */
    public static ModelInfo of(List<String> classes, float[] mean, float[] std) {
        return new ModelInfo(classes, mean, std, Map.of());
    }

    /** Nothing known: no class names, no normalization. */
    public static ModelInfo empty() {
        return new ModelInfo(List.of(), null, null, Map.of());
    }

    public boolean hasNormalization() {
        return mean != null;
    }

    @Override
    public float[] mean() {
        return mean == null ? null : mean.clone();
    }

    @Override
    public float[] std() {
        return std == null ? null : std.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ModelInfo m && classes.equals(m.classes) && Arrays.equals(mean, m.mean)
                && Arrays.equals(std, m.std) && extra.equals(m.extra);
    }

    @Override
    public int hashCode() {
        return classes.hashCode() * 31 + Arrays.hashCode(mean) * 7 + Arrays.hashCode(std) + extra.hashCode();
    }

    @Override
    public String toString() {
        return "ModelInfo[classes=" + classes + ", mean=" + Arrays.toString(mean) + ", std="
                + Arrays.toString(std) + ", extra=" + extra + "]";
    }
}
