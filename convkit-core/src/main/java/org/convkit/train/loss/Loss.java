package org.convkit.train.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import org.convkit.core.Autograd;

/**
 * A training loss over a network's heads: the mean over the batch of each head's loss, then the
 * mean over heads (a street number's K digit positions weigh the same).
 */
public interface Loss {
    /**
     * @param outputs one (N, classes) array per head
     * @param labels (N, K) int64 class indices, K = heads
     * @return a scalar, differentiable
     */
    default NDArray compute(NDList outputs, NDArray labels) {
        int heads = outputs.size();
        if (labels.getShape().get(1) != heads) {
            throw new IllegalArgumentException(labels.getShape().get(1) + " labels per sample for " + heads + " heads");
        }
        if (heads == 1) {
            return perHead(outputs.get(0), labels.reshape(-1));
        }
        NDArray total = null;
        for (int k = 0; k < heads; k++) {
            NDArray l = perHead(outputs.get(k), labels.get(new NDIndex().addAllDim().addIndices(k)));
            total = total == null ? l : total.add(l);
        }
        return Autograd.over(total, heads); // inside the recorded graph: Autograd.constant says why
    }

    /** The batch mean for one head: {@code scores} (N, C), {@code labels} (N) int64. */
    NDArray perHead(NDArray scores, NDArray labels);

    /** "ce" or "nll", what {@code --loss} takes. */
    String name();

    /**
     * {@code --loss}: {@code ce} (cross-entropy on logits, optional label smoothing) or {@code nll}
     * (negative log-likelihood of outputs that are already log-probabilities).
     */
    static Loss of(String name, double labelSmoothing) {
        return switch (name) {
            case "ce" -> new CrossEntropy(labelSmoothing);
            case "nll" -> {
                if (labelSmoothing != 0) {
                    throw new org.convkit.core.ConvkitException("--label-smoothing applies to --loss ce only");
                }
                yield new Nll();
            }
            default -> throw new org.convkit.core.ConvkitException("--loss " + name + ": unknown; choose ce or nll");
        };
    }
}
