package org.convkit.train.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code torch.optim.RMSprop}: smoothing {@code alpha}, optional momentum and centering,
 * <pre>
 *   g = grad + wd * w
 *   sq = alpha * sq + (1 - alpha) * g * g
 *   avg = sqrt(sq - ga * ga) + eps  (centered, ga = alpha * ga + (1 - alpha) * g)   else sqrt(sq) + eps
 *   b = m * b + g / avg; w = w - lr * b    (momentum > 0)      w = w - lr * g / avg  (otherwise)
 * </pre>
 * State: {@code square_avg}, {@code momentum_buffer}, {@code grad_avg} as torch names them.
 */
public final class RmsProp extends Optimizer {
    private final double alpha;
    private final double eps;
    private final boolean centered;

    public RmsProp(List<ParamGroup> groups, NDManager parent, double alpha, double eps, double momentum, boolean centered) {
        super(groups, parent, momentum);
        this.alpha = alpha;
        this.eps = eps;
        this.centered = centered;
    }

    @Override
    public String name() {
        return "rmsprop";
    }

    @Override
    public Map<String, Object> hyperParameters() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("alpha", alpha);
        m.put("eps", eps);
        m.put("momentum", momentum());
        m.put("centered", centered);
        return m;
    }

    @Override
    protected void update(String path, NDArray w, NDArray grad, long step, ParamGroup group, Scalars s) {
        NDArray g = addWeightDecay(grad, w, group, s);
        NDArray sq = stateOrZeros(path, "square_avg", w);
        sq.muli(s.of(alpha)).addi(g.mul(g).muli(s.of(1 - alpha)));
        NDArray avg;
        if (centered) {
            NDArray ga = stateOrZeros(path, "grad_avg", w);
            ga.muli(s.of(alpha)).addi(g.mul(s.of(1 - alpha)));
            avg = sq.sub(ga.mul(ga)).sqrt().addi(s.of(eps));
        } else {
            avg = sq.sqrt().addi(s.of(eps));
        }
        double momentum = momentum();
        if (momentum > 0) {
            NDArray buf = stateOrZeros(path, "momentum_buffer", w);
            buf.muli(s.of(momentum)).addi(g.div(avg));
            w.subi(buf.mul(s.of(group.lr())));
        } else {
            w.subi(g.div(avg).muli(s.of(group.lr())));
        }
    }
}
