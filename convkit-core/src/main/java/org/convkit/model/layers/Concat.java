package org.convkit.model.layers;

import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * Named branches that all see the same input, their outputs concatenated along the channel axis:
 * an Inception module ({@code torch.cat([branch1(x), branch2(x), ...], 1)}).
 *
 * <p>DJL's ParallelBlock does the same computation, but names its children after their classes
 * (parameter paths would not match torchvision's {@code branch1}, {@code branch2}) and learns its
 * output shape by running the join on zero tensors; this one infers shapes arithmetically.
 */
public final class Concat extends Branches {

    public Concat add(String name, Block branch) {
        addChildBlock(name, branch);
        return this;
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDList outs = new NDList(children.size());
        for (NDList out : forwardEach(ps, inputs, training)) {
            outs.add(out.singletonOrThrow());
        }
        return new NDList(NDArrays.concat(outs, 1));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputs) {
        long channels = 0;
        Shape first = null;
        for (int i = 0; i < children.size(); i++) {
            Shape s = Shapes.outputOf(children.valueAt(i), inputs, BlockNames.child(this, i))[0];
            if (first == null) {
                first = s;
            } else if (s.get(2) != first.get(2) || s.get(3) != first.get(3)) {
                throw new IllegalStateException("branches disagree on spatial size: " + first + " vs " + s);
            }
            channels += s.get(1);
        }
        return new Shape[] {new Shape(first.get(0), channels, first.get(2), first.get(3))};
    }
}
