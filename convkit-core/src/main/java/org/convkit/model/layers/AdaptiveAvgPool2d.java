package org.convkit.model.layers;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * torch.nn.AdaptiveAvgPool2d: averages each input into a fixed HxW grid whatever the input size.
 *
 * <p>DJL only exposes the global (1x1) case, torchvision's AlexNet and VGG need 6x6 and 7x7; the
 * PyTorch engine has the operator, so it is called directly rather than re-implemented.
 */
public final class AdaptiveAvgPool2d extends AbstractBlock {
    private final Shape output;

    public AdaptiveAvgPool2d(int height, int width) {
        this.output = new Shape(height, width);
    }

    public Shape outputSize() {
        return output;
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        PtNDArray x = (PtNDArray) inputs.singletonOrThrow();
        long h = x.getShape().get(2);
        long w = x.getShape().get(3);
        if (h == output.get(0) && w == output.get(1)) {
            return new NDList(x); // identity at the size the network was designed for
        }
        return new NDList(JniUtils.adaptiveAvgPool(x, output));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputs) {
        Shape in = inputs[0];
        return new Shape[] {new Shape(in.get(0), in.get(1), output.get(0), output.get(1))};
    }

    @Override
    public String toString() {
        return "AdaptiveAvgPool2d(" + output.get(0) + "x" + output.get(1) + ")";
    }
}
