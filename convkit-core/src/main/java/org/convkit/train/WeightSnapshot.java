package org.convkit.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.nn.Parameter;
import java.util.LinkedHashMap;
import java.util.Map;
import org.convkit.core.Autograd;
import org.convkit.model.ConvNet;

/**
 * A copy of every parameter and BatchNorm statistic of a network, to put back later exactly (the
 * learning-rate finder trains for real, then undoes it). The copies live in a manager of their
 * own, freed by {@link #close()}.
 */
public final class WeightSnapshot implements AutoCloseable {
    private final NDManager manager;
    private final Map<String, NDArray> copies = new LinkedHashMap<>();

    private WeightSnapshot(ConvNet net) {
        Map<String, Parameter> params = net.parametersByPath();
        this.manager = params.values().iterator().next().getArray().getManager().newSubManager();
        try (Autograd.NoGrad ignored = Autograd.noGrad()) {
            params.forEach((path, p) -> {
                NDArray copy = p.getArray().duplicate();
                ai.djl.ndarray.NDScope.unregister(copy); // kept past any scope the caller is in
                copy.attach(manager);
                copies.put(path, copy);
            });
        }
    }

    /** Copies the values of {@code net} now. */
    public static WeightSnapshot of(ConvNet net) {
        return new WeightSnapshot(net);
    }

    /** Writes the saved values back into {@code net}'s arrays, in place (they keep their identity). */
    public void restore(ConvNet net) {
        try (Autograd.NoGrad ignored = Autograd.noGrad()) {
            net.parametersByPath().forEach((path, p) -> copyInto(p.getArray(), saved(path)));
        }
    }

    /**
     * Saves {@code net}'s values now over the ones saved before, in place: taking a new snapshot
     * every epoch would free and allocate a copy of the whole network each time.
     */
    public void update(ConvNet net) {
        try (Autograd.NoGrad ignored = Autograd.noGrad()) {
            net.parametersByPath().forEach((path, p) -> copyInto(saved(path), p.getArray()));
        }
    }

    /** The copy of the parameter at {@code path} (package-private for tests). */
    NDArray saved(String path) {
        NDArray saved = copies.get(path);
        if (saved == null) {
            throw new IllegalStateException("no saved value for " + path + ": the network changed");
        }
        return saved;
    }

    /** {@code from}'s values written into {@code to}, which keeps its identity (same shape and type). */
    static void copyInto(NDArray to, NDArray from) {
        if (to.getShape().dimension() == 0) {
            to.set(from.toByteBuffer());
        } else {
            to.set(new NDIndex(":"), from);
        }
    }

    @Override
    public void close() {
        manager.close();
    }
}
