package org.convkit.model.layers;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * A sequence whose children carry explicit names ({@code conv1}, {@code bn1}, {@code relu}) instead
 * of positions. Parameter paths then read like torchvision's ({@code conv1.weight}), which is what
 * makes state dicts portable in both directions. Use DJL's SequentialBlock where torchvision uses
 * nn.Sequential (children named 0, 1, 2...).
 */
public class Named extends AbstractBlock {

    public Named add(String name, Block block) {
        addChildBlock(name, block);
        return this;
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        return Intermediates.chain(children.values(), ps, inputs, training);
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape[] shapes = inputShapes;
        for (Block b : children.values()) {
            b.initialize(manager, dataType, shapes);
            shapes = b.getOutputShapes(shapes);
        }
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return Shapes.chain(this, inputShapes);
    }
}
