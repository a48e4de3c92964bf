package org.convkit.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDScope;
import ai.djl.nn.Parameter;
import java.util.ArrayList;
import java.util.List;
import org.convkit.core.Autograd;
import org.convkit.train.optim.Optimizer;
import org.convkit.train.optim.ParamGroup;

/** Operations on all gradients at once. */
public final class Gradients {
    private Gradients() {}

    /**
     * {@code torch.nn.utils.clip_grad_norm_(params, maxNorm)}: when the L2 norm of all gradients
     * together exceeds {@code maxNorm}, scales every gradient by {@code maxNorm / (norm + 1e-6)}.
     *
     * @return the norm before clipping (NaN or infinite when a gradient is)
     */
    public static double clipGlobalNorm(Optimizer optimizer, double maxNorm) {
        try (Autograd.NoGrad ignored = Autograd.noGrad();
                NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            List<NDArray> grads = new ArrayList<>();
            for (ParamGroup g : optimizer.groups()) {
                for (Parameter p : g.params().values()) {
                    if (p.requiresGradient() && p.isInitialized()) {
                        NDArray grad = Autograd.gradient(p.getArray());
                        if (grad != null) {
                            grads.add(grad);
                        }
                    }
                }
            }
            if (grads.isEmpty()) {
                return 0;
            }
            NDList norms = new NDList(grads.size());
            for (NDArray g : grads) {
                norms.add(g.norm());
            }
            double total = NDArrays.stack(norms).norm().getFloat();
            double coef = maxNorm / (total + 1e-6);
            if (coef < 1) {
                NDArray c = grads.get(0).getManager().create((float) coef);
                for (NDArray g : grads) {
                    g.muli(c);
                }
            }
            return total;
        }
    }
}
