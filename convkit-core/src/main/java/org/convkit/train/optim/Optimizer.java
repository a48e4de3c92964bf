package org.convkit.train.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.convkit.core.Autograd;
import org.convkit.core.Autograd;
import org.convkit.core.ConvkitException;

/**
 * An optimizer with PyTorch's update rules whose state can be saved and restored exactly.
 *
 * <p>DJL's optimizers keep their state private (no resume) and differ from {@code torch.optim} in
 * details (SGD momentum scaled by the learning rate, Adam's epsilon), so convkit owns them. Each
 * update is a handful of in-place native operations per parameter, no autograd recorded, with
 * the step's temporaries in one scope closed at the end of the step.
 *
 * <p>State tensors are named {@code <parameter path>/<torch state name>}, e.g. {@code
 * backbone.stem.conv1.weight/exp_avg}; {@link #stateTensors()} and {@link #stateScalars()} are what
 * a checkpoint stores, {@link #loadState} puts them back.
 */
public abstract class Optimizer implements AutoCloseable {
    private final List<ParamGroup> groups;
    private final NDManager stateManager;
    private final Map<String, NDArray> tensors = new LinkedHashMap<>();
    private final Map<String, Long> steps = new LinkedHashMap<>();
    private double momentum;

    /**
     * @param groups parameter groups (a parameter must be in at most one)
     * @param parent the manager the state tensors live under (usually the model's); the optimizer
     *     closes its own sub-manager in {@link #close()}
     * @param momentum the initial momentum (see {@link #setMomentum})
     */
    protected Optimizer(List<ParamGroup> groups, NDManager parent, double momentum) {
        this.groups = List.copyOf(groups);
        this.momentum = momentum;
        this.stateManager = parent.newSubManager();
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (ParamGroup g : groups) {
            for (String path : g.params().keySet()) {
                if (!seen.add(path)) {
                    throw new IllegalArgumentException("parameter " + path + " is in two groups");
                }
            }
        }
    }

    /** "sgd", "adam", "adamw", "rmsprop": what {@link Optimizers#create} takes. */
    public abstract String name();

    /** Hyper-parameters for the saved config and messages. */
    public abstract Map<String, Object> hyperParameters();

    /**
     * The momentum a one-cycle schedule cycles: SGD's and RMSprop's momentum, Adam's beta1 (what
     * torch's OneCycleLR changes).
     */
    public final void setMomentum(double momentum) {
        this.momentum = momentum;
    }

    public final double momentum() {
        return momentum;
    }

    public List<ParamGroup> groups() {
        return groups;
    }

    /** Sets every group's learning rate to {@code baseLr * group.lrScale()}. */
    public void setLr(double baseLr) {
        for (ParamGroup g : groups) {
            g.setLr(baseLr * g.lrScale());
        }
    }

    /**
     * Applies one update to every trainable parameter that has a gradient, with each group's
     * current learning rate. Gradients are left as they are (call {@link #zeroGrad()}).
     */
    public final void step() {
        // DJL puts an op's result in the manager of its first operand, often a parameter or a state
        // tensor here; the scope closes every temporary of the step wherever it was attached
        try (Autograd.NoGrad ignored = Autograd.noGrad();
                NDScope scope = new NDScope();
                NDManager scratch = stateManager.newSubManager()) {
            scope.suppressNotUsedWarning();
            Scalars scalars = new Scalars(scratch);
            for (ParamGroup g : groups) {
                for (Map.Entry<String, Parameter> e : g.params().entrySet()) {
                    Parameter p = e.getValue();
                    if (!p.requiresGradient() || !p.isInitialized()) {
                        continue;
                    }
                    NDArray w = p.getArray();
                    NDArray grad = Autograd.gradient(w);
                    if (grad == null) {
                        continue;
                    }
                    grad.attach(scratch);
                    long t = steps.merge(e.getKey(), 1L, Long::sum);
                    update(e.getKey(), w, grad, t, g, scalars);
                }
            }
        }
    }

    /**
     * The update for one parameter, in place on {@code w}; may change {@code grad} (it is zeroed
     * afterwards). Temporaries are closed after the step; state made with {@link #putState} or
     * {@link #stateOrZeros} is kept.
     *
     * @param step how many updates this parameter has had, this one included (Adam's t)
     */
    protected abstract void update(String path, NDArray w, NDArray grad, long step, ParamGroup group, Scalars s);

    /** torch's L2 weight decay, {@code grad += wd * w} (in place; the gradient is zeroed after the step). */
    protected static NDArray addWeightDecay(NDArray grad, NDArray w, ParamGroup group, Scalars s) {
        if (group.weightDecay() != 0) {
            grad.addi(w.mul(s.of(group.weightDecay())));
        }
        return grad;
    }

    /** Zeroes the gradient of every parameter of every group (frozen ones have none). */
    public void zeroGrad() {
        for (ParamGroup g : groups) {
            for (Parameter p : g.params().values()) {
                if (p.isInitialized()) {
                    Autograd.zeroGradient(p.getArray());
                }
            }
        }
    }

    /** The state tensor {@code name} of parameter {@code path}, or {@code null} before its first step. */
    protected final NDArray state(String path, String name) {
        return tensors.get(path + "/" + name);
    }

    /** Keeps {@code value} (now owned by the optimizer) as state {@code name} of {@code path}. */
    protected final NDArray putState(String path, String name, NDArray value) {
        NDScope.unregister(value);
        value.attach(stateManager);
        NDArray old = tensors.put(path + "/" + name, value);
        if (old != null && old != value) {
            old.close();
        }
        return value;
    }

    /**
     * The state tensor {@code name} of parameter {@code path}; on its first step a zero tensor shaped
     * like {@code like}, kept from then on (torch's {@code zeros_like} state initialization).
     */
    protected final NDArray stateOrZeros(String path, String name, NDArray like) {
        NDArray s = state(path, name);
        return s != null ? s : putState(path, name, stateManager.zeros(like.getShape(), like.getDataType()));
    }

    /** Every state tensor by name; still owned by the optimizer (a checkpoint copies them out). */
    public Map<String, NDArray> stateTensors() {
        return Collections.unmodifiableMap(tensors);
    }

    /** What is not a tensor: the optimizer's name, hyper-parameters and per-parameter step counts. */
    public Map<String, Object> stateScalars() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", name());
        m.put("hyper", hyperParameters());
        m.put("steps", new LinkedHashMap<>(steps));
        return m;
    }

    /**
     * Restores what {@link #stateTensors()} and {@link #stateScalars()} returned, copying the
     * tensors into the optimizer's own manager.
     *
     * @throws ConvkitException when the state belongs to another optimizer or other parameters
     */
    public void loadState(Map<String, NDArray> savedTensors, Map<String, ?> scalars) {
        Object saved = scalars.get("name");
        if (saved != null && !name().equals(saved)) {
            throw new ConvkitException("the checkpoint's optimizer is " + saved + ", this run uses " + name()
                    + ": resume with --optimizer " + saved);
        }
        Map<String, Shape> shapes = new LinkedHashMap<>();
        for (ParamGroup g : groups) {
            g.params().forEach((path, p) -> shapes.put(path, p.isInitialized() ? p.getArray().getShape() : p.getShape()));
        }
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, NDArray> e : savedTensors.entrySet()) {
            int slash = e.getKey().lastIndexOf('/');
            String path = slash < 0 ? e.getKey() : e.getKey().substring(0, slash);
            Shape want = shapes.get(path);
            if (want == null) {
                problems.add(e.getKey() + " (no such trainable parameter)");
            } else if (!want.equals(e.getValue().getShape())) {
                problems.add(e.getKey() + " (shape " + e.getValue().getShape() + ", parameter " + want + ")");
            }
        }
        if (!problems.isEmpty()) {
            throw new ConvkitException("optimizer state does not fit this model: " + String.join(", ",
                    problems.subList(0, Math.min(5, problems.size()))) + (problems.size() > 5 ? " ..." : ""));
        }
        tensors.values().forEach(NDArray::close);
        tensors.clear();
        for (Map.Entry<String, NDArray> e : savedTensors.entrySet()) {
            NDArray copy = e.getValue().duplicate();
            NDScope.unregister(copy);
            copy.attach(stateManager);
            tensors.put(e.getKey(), copy);
        }
        steps.clear();
        Object s = scalars.get("steps");
        if (s instanceof Map<?, ?> m) {
            m.forEach((k, v) -> steps.put(String.valueOf(k), ((Number) v).longValue()));
        }
    }

    @Override
    public void close() {
        stateManager.close();
    }
}
