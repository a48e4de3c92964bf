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
 * the last good epoch with one. Closing frees the copies.
 */
public final class LearnerSnapshot implements AutoCloseable {
    private final WeightSnapshot weights;
    private final NDManager manager;
    private final Map<String, NDArray> tensors = new LinkedHashMap<>();
    private final Map<String, Object> scalars;
    private final double momentum;

    private LearnerSnapshot(Learner learner) {
        Optimizer optimizer = learner.optimizer();
        weights = WeightSnapshot.of(learner.net());
        manager = NDManager.newBaseManager(learner.device());
        optimizer.stateTensors().forEach((k, v) -> {
            NDArray c = v.duplicate();
            NDScope.unregister(c); // kept past any scope the caller is in
            c.attach(manager);
            tensors.put(k, c);
        });
        scalars = optimizer.stateScalars();
        momentum = optimizer.momentum();
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
