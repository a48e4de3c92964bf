package org.convkit.model.layers;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import java.util.ArrayList;
import java.util.List;

/**
 * Children that all see the same input, as in {@code [branch(x) for branch in branches]}: what an
 * Inception module ({@link Concat}) and a network's classifier heads ({@code model.Heads}) have in
 * common. Subclasses say what becomes of the branches' outputs and their shapes.
 */
public abstract class Branches extends AbstractBlock {

    /** Every branch's outputs for the same {@code inputs}, in the order the branches were added. */
    protected List<NDList> forwardEach(ParameterStore ps, NDList inputs, boolean training) {
        List<NDList> outs = new ArrayList<>(children.size());
        for (Block b : children.values()) {
            outs.add(b.forward(ps, inputs, training));
        }
        return outs;
    }

    /** Every branch initialized for the same input shapes. */
    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        for (Block b : children.values()) {
            b.initialize(manager, dataType, inputShapes);
        }
    }
}
