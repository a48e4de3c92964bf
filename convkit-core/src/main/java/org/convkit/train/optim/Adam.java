package org.convkit.train.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code torch.optim.Adam} and, with {@code decoupled}, {@code torch.optim.AdamW}:
 * <pre>
 *   AdamW: w = w * (1 - lr * wd)          Adam: g = grad + wd * w
 *   m = b1 * m + (1 - b1) * g             v = b2 * v + (1 - b2) * g * g
 *   w = w - lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)
 * </pre>
 * with t counted per parameter, state {@code exp_avg} and {@code exp_avg_sq} as torch names them.
 */
public final class Adam extends Optimizer {
    private final double beta2;
    private final double eps;
    private final boolean decoupled;

    public Adam(List<ParamGroup> groups, NDManager parent, double beta1, double beta2, double eps, boolean decoupled) {
        super(groups, parent, beta1);
        this.beta2 = beta2;
        this.eps = eps;
        this.decoupled = decoupled;
    }

    @Override
    public String name() {
        return decoupled ? "adamw" : "adam";
    }

    @Override
    public Map<String, Object> hyperParameters() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("beta1", momentum());
        m.put("beta2", beta2);
        m.put("eps", eps);
        return m;
    }

    @Override
    protected void update(String path, NDArray w, NDArray grad, long step, ParamGroup group, Scalars s) {
        double lr = group.lr();
        NDArray g = grad;
        if (decoupled) {
            if (group.weightDecay() != 0) {
                w.muli(s.of(1 - lr * group.weightDecay()));
            }
        } else {
            g = addWeightDecay(grad, w, group, s);
        }
        double beta1 = momentum(); // what one-cycle cycles
        NDArray m = stateOrZeros(path, "exp_avg", w);
        NDArray v = stateOrZeros(path, "exp_avg_sq", w);
        m.muli(s.of(beta1)).addi(g.mul(s.of(1 - beta1)));
        v.muli(s.of(beta2)).addi(g.mul(g).muli(s.of(1 - beta2)));
        double bias1 = 1 - Math.pow(beta1, step);
        double bias2Sqrt = Math.sqrt(1 - Math.pow(beta2, step));
        NDArray denom = v.sqrt().divi(s.of(bias2Sqrt)).addi(s.of(eps));
        w.subi(m.div(denom).muli(s.of(lr / bias1)));
    }
}
