package org.convkit.model;

import ai.djl.ndarray.NDList;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.convkit.model.layers.BlockNames;
import org.convkit.model.layers.Named;

/**
 * The feature extractor of a network: named stages run in order ({@code stem}, {@code layer1} ...
 * {@code pool}); its output is one feature vector per image, what a head classifies.
 *
 * <p>Stages are the unit of freezing. A frozen stage runs in evaluation mode even while training:
 * no gradient flows into it and, unlike DJL's freezeParameters alone, its BatchNorm running
 * statistics and Dropout stay as they were. That is what "frozen" means to someone fine-tuning.
 */
public final class Backbone extends Named {
    private final Set<String> frozen = new HashSet<>();

    @Override
    public Backbone add(String stage, Block block) {
        super.add(stage, block);
        return this;
    }

    /** Stage names in forward order. */
    public List<String> stageNames() {
        List<String> names = new java.util.ArrayList<>();
        for (int i = 0; i < children.size(); i++) {
            names.add(BlockNames.child(this, i));
        }
        return names;
    }

    public Block stage(String name) {
        int i = stageNames().indexOf(name);
        if (i < 0) {
            throw new IllegalArgumentException("no stage " + name + " in " + stageNames());
        }
        return children.valueAt(i);
    }

    /** Freezes (or unfreezes) one stage: no gradients, BatchNorm statistics held, eval mode. */
    public void setFrozen(String stage, boolean freeze) {
        Block b = stage(stage);
        // running statistics are buffers: they never take a gradient, so unfreezing leaves them alone
        // (a running mean that required grad would break BatchNorm's in-place update)
        b.freezeParameters(freeze, p -> !ParamPaths.isBuffer(p));
        if (freeze) {
            frozen.add(stage);
        } else {
            frozen.remove(stage);
        }
    }

    public boolean isFrozen(String stage) {
        return frozen.contains(stage);
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDList x = inputs;
        for (int i = 0; i < children.size(); i++) {
            boolean stageTraining = training && (frozen.isEmpty() || !frozen.contains(BlockNames.child(this, i)));
            NDList next = children.valueAt(i).forward(ps, x, stageTraining);
            if (x != inputs) {
                org.convkit.model.layers.Intermediates.release(x, next); // see Intermediates
            }
            x = next;
        }
        return x;
    }
}
