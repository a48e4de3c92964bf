package org.convkit.model.weights;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.training.ParameterStore;
import org.convkit.model.layers.BatchNormFolding;
import java.util.ArrayList;
import java.util.List;
import org.convkit.core.ConvkitException;
import org.convkit.model.ConvNet;

/**
 * A network's raw outputs on a raw input batch, in evaluation mode (BatchNorm uses its running
 * statistics, Dropout is off) and without gradients: what {@code convkit forward} prints and what
 * the fidelity tests compare with PyTorch.
 */
public final class Forward {
    private Forward() {}

    /**
     * Runs {@code x} (N, C, H, W) through {@code net} in chunks of {@code batchSize} images.
     *
     * @return one (N, classes) array per head, in {@code manager}
     */
    public static NDList logits(ConvNet net, NDArray x, int batchSize, NDManager manager) {
        var o = net.options();
        if (x.getShape().dimension() != 4 || x.getShape().get(1) != o.channels()) {
            throw new ConvkitException("input of shape " + x.getShape() + ": " + net.architecture()
                    + " takes (N, " + o.channels() + ", H, W)");
        }
        long n = x.getShape().get(0);
        List<List<NDArray>> perHead = new ArrayList<>();
        try (BatchNormFolding.Scope folded = BatchNormFolding.fold(net, net.engine())) {
            for (long start = 0; start < n; start += batchSize) {
                // each chunk's activations live in a sub-manager closed right after; outputs are kept
                try (NDManager step = manager.newSubManager(manager.getDevice())) {
                    NDArray chunk = x.get(new NDIndex("{}:{}", start, Math.min(n, start + batchSize)));
                    chunk.attach(step);
                    chunk = chunk.toDevice(step.getDevice(), false); // itself when already there
                    NDList out = net.forward(new ParameterStore(step, false), new NDList(chunk), false);
                    for (int h = 0; h < out.size(); h++) {
                        if (perHead.size() <= h) {
                            perHead.add(new ArrayList<>());
                        }
                        NDArray y = out.get(h);
                        y.attach(manager);
                        perHead.get(h).add(y);
                    }
                }
            }
        }
        NDList result = new NDList();
        for (List<NDArray> parts : perHead) {
            if (parts.size() == 1) {
                result.add(parts.get(0));
            } else {
                NDArray all = NDArrays.concat(new NDList(parts));
                parts.forEach(NDArray::close);
                result.add(all);
            }
        }
        return result;
    }
}
