package org.convkit.train.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code torch.optim.SGD}: with weight decay {@code wd}, momentum {@code m} and no dampening,
 * <pre>
 *   g = grad + wd * w
 *   b = g                      (first step)      b = m * b + g   (later)
 *   d = g + m * b  (nesterov)                     d = b           (otherwise)
 *   w = w - lr * d
 * </pre>
 * The momentum buffer is torch's {@code momentum_buffer}, not DJL's lr-scaled one, so a changing
 * learning rate behaves as in PyTorch.
 */
public final class Sgd extends Optimizer {
    private final boolean nesterov;

    public Sgd(List<ParamGroup> groups, NDManager parent, double momentum, boolean nesterov) {
        super(groups, parent, momentum);
        if (nesterov && momentum <= 0) {
            throw new org.convkit.core.ConvkitException("--nesterov needs --momentum > 0");
        }
        this.nesterov = nesterov;
    }

    @Override
    public String name() {
        return "sgd";
    }

    @Override
    public Map<String, Object> hyperParameters() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("momentum", momentum());
        m.put("nesterov", nesterov);
        return m;
    }

    @Override
    protected void update(String path, NDArray w, NDArray grad, long step, ParamGroup group, Scalars s) {
        NDArray g = addWeightDecay(grad, w, group, s);
        NDArray d = g;
        double momentum = momentum();
        if (momentum != 0) {
            NDArray buf = state(path, "momentum_buffer");
            if (buf == null) {
                buf = putState(path, "momentum_buffer", g.duplicate());
            } else {
                buf.muli(s.of(momentum)).addi(g);
            }
            d = nesterov ? g.addi(buf.mul(s.of(momentum))) : buf;
        }
        w.subi(d.mul(s.of(group.lr())));
    }
}
