package org.convkit.model.layers;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * torch.nn.AdaptiveMaxPool2d(1): the largest value of each channel over the whole map, (N, C, H, W)
 * to (N, C, 1, 1), whatever H and W are. A {@link Pool2d} whose kernel is the map's size would
 * compute the same at the one input size it was built for, but only for square maps, and a network
 * built at one size and run at another would then pool to a grid its Linear does not take.
 */
public final class GlobalMaxPool2d extends AbstractBlock {
    private static final Shape ONE = new Shape(1, 1);

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        return new NDList(JniUtils.adaptiveMaxPool((PtNDArray) inputs.singletonOrThrow(), ONE));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputs) {
        Shape in = inputs[0];
        return new Shape[] {new Shape(in.get(0), in.get(1), 1, 1)};
    }

    @Override
    public String toString() {
        return "GlobalMaxPool2d";
    }
}
