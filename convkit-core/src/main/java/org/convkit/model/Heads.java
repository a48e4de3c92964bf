package org.convkit.model;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.function.IntFunction;
import org.convkit.model.layers.Branches;
import org.convkit.model.layers.Layers;

/**
 * K parallel classifiers over one feature vector; the output list holds one logits array per
 * head. K = 1 is ordinary classification; K > 1 reads fixed-length sequences (a street number's
 * digits, one head per position).
 */
public final class Heads extends Branches {
    private final int count;
    private final int classes;

    /**
     * @param count number of heads (K)
     * @param classes classes per head
     * @param headFactory builds one head for a class count (a Linear for most families)
     */
    public Heads(int count, int classes, IntFunction<Block> headFactory) {
        this.count = count;
        this.classes = classes;
        for (int i = 0; i < count; i++) {
            addChildBlock(String.valueOf(i), headFactory.apply(classes));
        }
    }

    /** The usual head: one Linear(features, classes) per position. */
    public static Heads linear(int count, int classes) {
        return new Heads(count, classes, Layers::linear);
    }

    public int count() {
        return count;
    }

    public int classes() {
        return classes;
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDList out = new NDList(count);
        for (NDList head : forwardEach(ps, inputs, training)) {
            out.addAll(head);
        }
        return out;
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape[] out = new Shape[count];
        int i = 0;
        for (Block b : children.values()) {
            out[i++] = b.getOutputShapes(inputShapes)[0];
        }
        return out;
    }
}
