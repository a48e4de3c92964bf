package org.convkit.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import java.util.LinkedHashMap;
import java.util.Map;
import org.convkit.train.optim.Optimizer;

/**
 * A copy of everything training changes in a learner: every weight and BatchNorm statistic
 * ({@link WeightSnapshot}) and the optimizer's state (moments, step counts, momentum), to put back
 * exactly. The learning-rate finder undoes its sweep with one; the divergence guard goes back to
 * the last good epoch with one, {@link #update updated} in place after each good epoch. Closing
 * frees the copies.
 */
public final class LearnerSnapshot implements AutoCloseable {
    private final WeightSnapshot weights;
    private final NDManager manager;
    private final Map<String, NDArray> tensors = new LinkedHashMap<>();
    private Map<String, Object> scalars;
    private double momentum;

    private LearnerSnapshot(Learner learner) {
        weights = WeightSnapshot.of(learner.net());
        manager = NDManager.newBaseManager(learner.device());
        copyOptimizer(learner.optimizer());
    }

    /**
     * Saves {@code learner}'s weights and optimizer state now over what this snapshot held, in
     * place (the divergence guard keeps the last good epoch this way without a new copy each epoch).
     */
    public void update(Learner learner) {
        weights.update(learner.net());
        copyOptimizer(learner.optimizer());
    }

    /** The optimizer's tensors into this snapshot's (a tensor seen before is overwritten in place), its scalars. */
    private void copyOptimizer(Optimizer optimizer) {
        try (org.convkit.core.Autograd.NoGrad ignored = org.convkit.core.Autograd.noGrad()) {
            optimizer.stateTensors().forEach((k, v) -> {
                NDArray kept = tensors.get(k);
                if (kept != null && kept.getShape().equals(v.getShape()) && kept.getDataType() == v.getDataType()) {
                    WeightSnapshot.copyInto(kept, v);
                    return;
                }
                // state the optimizer made since (Adam's moments appear at its first step)
                NDArray c = v.duplicate();
                NDScope.unregister(c); // kept past any scope the caller is in
                c.attach(manager);
                if (kept != null) {
                    kept.close();
                }
                tensors.put(k, c);
            });
        }
        scalars = optimizer.stateScalars();
        momentum = optimizer.momentum();
    }

    /** The saved copy of the optimizer tensor {@code key}, or null (package-private for tests). */
    NDArray savedOptimizerTensor(String key) {
        return tensors.get(key);
    }

    /** The saved copy of the parameter at {@code path} (package-private for tests). */
    NDArray savedWeight(String path) {
        return weights.saved(path);
    }

    /** Copies {@code learner}'s weights and optimizer state now. */
    public static LearnerSnapshot of(Learner learner) {
        return new LearnerSnapshot(learner);
    }

    /** Puts the saved weights, statistics and optimizer state back; pending gradients are dropped. */
    public void restore(Learner learner) {
        Optimizer optimizer = learner.optimizer();
        weights.restore(learner.net());
        optimizer.zeroGrad();
        optimizer.loadState(tensors, scalars);
        optimizer.setMomentum(momentum);
    }

    @Override
    public void close() {
        try (WeightSnapshot w = weights) {
            manager.close();
        }
    }
}
