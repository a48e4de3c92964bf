package org.convkit.model.layers;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * torch.nn.Sequential: children are addressed by position (features.0, features.3 ...), which is
 * how torchvision's state-dict keys name them. Adds a shape check to DJL's SequentialBlock so a
 * too-small input is reported at the layer where it vanishes.
 */
public class Seq extends SequentialBlock {

    public static Seq of(Block... blocks) {
        Seq s = new Seq();
        s.addAll(blocks);
        return s;
    }

    /** SequentialBlock's loop, freeing each intermediate once used (see {@link Intermediates}). */
    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        return Intermediates.chain(children.values(), ps, inputs, training);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputs) {
        return Shapes.chain(this, inputs);
    }
}
