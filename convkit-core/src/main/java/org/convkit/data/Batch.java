package org.convkit.data;

/**
 * A batch ready for the network, still on the Java heap: the trainer copies it into an NDArray it
 * owns and closes after the step, so the loader never holds native memory.
 *
 * @param data pixels as float32 NCHW, normalized
 * @param size N, the number of samples (the last batch of an epoch may be smaller)
 * @param channels C
 * @param height H
 * @param width W
 * @param labels N*K class indices, row-major (K = heads); empty for unlabeled data
 * @param heads K
 * @param ids sample ids, N of them
 * @param indices sample indices in their source, N of them
 */
public record Batch(
        float[] data, int size, int channels, int height, int width, int[] labels, int heads, String[] ids, int[] indices) {}
