package org.convkit.train.loss;

import ai.djl.ndarray.NDArray;

/**
 * {@code torch.nn.CrossEntropyLoss(label_smoothing=eps)}: with {@code logp = log_softmax(scores)},
 * each sample's loss is {@code (1 - eps) * -logp[y] + eps * mean_c(-logp[c])}; the batch mean is
 * returned. Smoothing keeps the network from growing its logits without bound to chase a 100%
 * target, which usually helps accuracy a little.
 */
public record CrossEntropy(double labelSmoothing) implements Loss {
    public CrossEntropy {
        if (!(labelSmoothing >= 0 && labelSmoothing < 1)) {
            throw new org.convkit.core.ConvkitException(
                    "--label-smoothing " + labelSmoothing + ": expected a value in [0, 1), e.g. 0.1");
        }
    }

    @Override
    public NDArray perHead(NDArray scores, NDArray labels) {
        NDArray logp = scores.logSoftmax(1);
        NDArray picked = logp.gather(labels.reshape(-1, 1), 1).mean();
        if (labelSmoothing == 0) {
            return picked.neg();
        }
        NDArray uniform = logp.mean();
        // float constants: a Java double becomes a float64 tensor, and two 0-dim operands promote
        return picked.mul((float) (labelSmoothing - 1)).sub(uniform.mul((float) labelSmoothing));
    }

    @Override
    public String name() {
        return "ce";
    }
}
