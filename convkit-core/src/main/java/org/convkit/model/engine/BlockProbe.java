package org.convkit.model.engine;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.convkit.core.EngineSettings;
import org.convkit.model.layers.BatchNormFolding;
import org.convkit.model.layers.EngineScope;
import org.convkit.model.layers.MemoryFormat;

/**
 * A probe made of layers as the zoo builds them: the block is initialized in the dtype computed
 * in, given deterministic parameter values, laid out as a network with the same settings would be
 * ({@link MemoryFormat}), and run inside an {@link EngineScope}.
 *
 * <p>{@link Mode#TRAIN}: a training-mode forward pass (BatchNorm on batch statistics) and a
 * backward pass of a random weighting of the output; the quantities compared are the output, the
 * input's gradient and every parameter's gradient. {@link Mode#EVAL}: an evaluation-mode forward
 * pass (BatchNorm on running statistics), folded when the settings fold, as the Evaluator runs it.
 */
public final class BlockProbe implements Probe {
    /** What the probe runs. */
    public enum Mode {
        TRAIN,
        EVAL
    }

    /**
     * Float32 tolerances, relative to the reference's largest magnitude. A correct float32 path
     * differs from float64 by rounding: 1e-7 to 1e-6 of the largest value on this table's shapes
     * (sums of up to a few thousand products per output, tens of thousands per weight gradient);
     * the errors this check exists for were 1e-2 and larger.
     */
    public static final double FORWARD_FP32 = 1e-4;
    /** Gradients sum more products (over batch and positions) than outputs do. */
    public static final double BACKWARD_FP32 = 2e-4;
    /**
     * bfloat16 ({@code --precision bf16}): oneDNN rounds a convolution's inputs and weights to
     * bfloat16 (8 significant bits: a relative rounding error of up to 2^-9 = 2.0e-3 each, so up
     * to 3.9e-3 per product) and accumulates in float32. The products' errors have random signs, so
     * an output is off by a few times 3.9e-3 of the typical output, and the largest over a probe's
     * outputs (and through the few convolutions of the layers probe) by about 1e-2 of the largest
     * output (measured on the probes here: 2e-3 to 3e-3, forward and input gradients alike). 3e-2 is
     * ten times that; PyTorch's own CPU autocast deviates by 2.1e-2 on resnet18's logits
     * (Bf16Test). A broken bf16 kernel (garbage, NaN, a wrong blocking) is off by far more.
     */
    public static final double FORWARD_BF16 = 3e-2;
    /** Gradients pass through two bfloat16 convolutions (the data and the weight gradient). */
    public static final double BACKWARD_BF16 = 5e-2;

    private final String name;
    private final String usedBy;
    private final Supplier<Block> block;
    private final Shape input;
    private final boolean imageInput;
    private final Mode mode;
    private final boolean distinctInput;

    /**
     * @param block makes the layers (a fresh block per run)
     * @param input the input's shape (N, C, H, W)
     * @param imageInput true when the block takes images as the loader makes them (always NCHW, and
     *     never asked for their gradient); false for activations inside a network, which arrive in
     *     the network's layout and whose gradient the layer before needs
     */
    public BlockProbe(String name, String usedBy, Supplier<Block> block, Shape input, boolean imageInput, Mode mode) {
        this(name, usedBy, block, input, imageInput, mode, false);
    }

    private BlockProbe(String name, String usedBy, Supplier<Block> block, Shape input, boolean imageInput, Mode mode,
            boolean distinctInput) {
        this.distinctInput = distinctInput;
        this.name = name;
        this.usedBy = usedBy;
        this.block = block;
        this.input = input;
        this.imageInput = imageInput;
        this.mode = mode;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String usedBy() {
        return usedBy;
    }

    public Shape input() {
        return input;
    }

    /**
     * This probe's evaluation-mode forward pass alone, for a path used only in evaluation; named
     * apart (", forward") because its reference has no gradients.
     */
    public BlockProbe forwardOnly() {
        return mode == Mode.EVAL ? this
                : new BlockProbe(name + ", forward", usedBy, block, input, imageInput, Mode.EVAL, distinctInput);
    }

    /**
     * This probe with {@link ProbeInputs#distinct} input values: for layers without a gradient at
     * zero or at ties (ReLU, max pooling) taking the probe's input directly, so that their backward
     * pass is defined at every input and float32 must match float64.
     */
    public BlockProbe withDistinctInput() {
        return new BlockProbe(name, usedBy, block, input, imageInput, mode, true);
    }

    public Mode mode() {
        return mode;
    }

    /** Whether the input is {@link ProbeInputs#distinct} (see {@link #withDistinctInput}). */
    public boolean distinctInput() {
        return distinctInput;
    }

    public Block newBlock() {
        return block.get();
    }

    @Override
    public double tolerance(String quantity, EngineSettings settings) {
        boolean bf16 = settings.precision() == EngineSettings.Precision.BF16;
        if (quantity.equals("forward")) {
            return bf16 ? FORWARD_BF16 : FORWARD_FP32;
        }
        return bf16 ? BACKWARD_BF16 : BACKWARD_FP32;
    }

    /**
     * A fresh block in {@code dtype} with this probe's parameter values, NCHW: what {@link #run}
     * computes with, for another engine to run the same numbers (ONNX Runtime, convkit-onnx).
     */
    public Block initializedBlock(NDManager m, DataType dtype) {
        return initialized(m, dtype, new ProbeInputs(m, dtype, name));
    }

    /** This probe's input in {@code dtype}, NCHW: the one {@link #run} computes on. */
    public NDArray inputValues(NDManager m, DataType dtype) {
        return inputValues(new ProbeInputs(m, dtype, name));
    }

    private NDArray inputValues(ProbeInputs in) {
        return distinctInput ? in.distinct("x", input) : in.normal("x", input, 0, 1);
    }

    private Block initialized(NDManager m, DataType dtype, ProbeInputs in) {
        Block b = block.get();
        b.initialize(m, dtype, input);
        for (Pair<String, Parameter> p : b.getParameters()) {
            setValue(p.getKey(), p.getValue(), in);
        }
        return b;
    }

    @Override
    public Map<String, NDArray> run(NDManager m, EngineSettings s, DataType dtype) {
        ProbeInputs in = new ProbeInputs(m, dtype, name);
        Block b = initialized(m, dtype, in);
        MemoryFormat.apply(b, s.layout());
        NDArray x = inputValues(in);
        if (s.channelsLast() && !imageInput) {
            x = MemoryFormat.toChannelsLast(x);
        }
        ParameterStore ps = new ParameterStore(m, false);
        Map<String, NDArray> out = new LinkedHashMap<>();
        try (EngineScope ignored = EngineScope.enter(s)) {
            if (mode == Mode.TRAIN) {
                // training never asks for the gradient of the images themselves (they do not
                // require one), so libtorch never runs that kernel for a first layer: checking it
                // would judge a path by a computation it never makes
                if (!imageInput) {
                    x.setRequiresGradient(true);
                }
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    NDArray y = b.forward(ps, new NDList(x), true).singletonOrThrow();
                    NDArray weights = in.normal("cotangent", y.getShape(), 0, 1);
                    gc.backward(y.mul(weights).sum());
                    out.put("forward", y);
                }
                if (!imageInput) {
                    out.put("grad input", x.getGradient());
                }
                for (Pair<String, Parameter> p : b.getParameters()) {
                    if (p.getValue().requiresGradient()) {
                        out.put("grad " + p.getKey(), p.getValue().getArray().getGradient());
                    }
                }
            } else {
                try (BatchNormFolding.Scope folded = BatchNormFolding.fold(b, s)) {
                    out.put("forward", b.forward(ps, new NDList(x), false).singletonOrThrow());
                }
            }
        }
        return out;
    }

    /** Conv/linear weights at He-like scale, BatchNorm far from the identity (so folding has work to do). */
    private static void setValue(String path, Parameter p, ProbeInputs in) {
        NDArray a = p.getArray();
        Shape sh = a.getShape();
        NDArray v = switch (p.getName()) {
            case "weight" -> in.normal(path, sh, 0, 1 / Math.sqrt(sh.size() / (double) sh.get(0)));
            case "gamma" -> in.uniform(path, sh, 0.5, 1.5);
            case "runningMean" -> in.normal(path, sh, 0, 0.2);
            case "runningVar" -> in.uniform(path, sh, 0.5, 2);
            default -> in.normal(path, sh, 0, 0.1); // biases, beta
        };
        boolean grad = a.hasGradient();
        a.intern(v);
        if (grad) {
            a.setRequiresGradient(true);
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
