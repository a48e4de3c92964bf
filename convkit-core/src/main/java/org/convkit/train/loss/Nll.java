package org.convkit.train.loss;

import ai.djl.ndarray.NDArray;

/**
 * {@code torch.nn.NLLLoss}: the batch mean of {@code -scores[y]}, for networks whose last layer
 * already outputs log-probabilities (a LogSoftmax). On plain logits use {@code ce}.
 */
public record Nll() implements Loss {
    @Override
    public NDArray perHead(NDArray scores, NDArray labels) {
        return scores.gather(labels.reshape(-1, 1), 1).mean().neg();
    }

    @Override
    public String name() {
        return "nll";
    }
}
