package org.convkit.train.loss;

import ai.djl.ndarray.NDArray;
import org.convkit.core.Autograd;

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
        // constants of the scores' type (two 0-dim operands would promote to a double's float64),
        // made by libtorch: this graph is kept until backward (Autograd.constant says why)
        return Autograd.times(picked, labelSmoothing - 1).sub(Autograd.times(uniform, labelSmoothing));
    }

    @Override
    public String name() {
        return "ce";
    }
}
