package org.convkit.onnx;

import static org.convkit.model.layers.Layers.parameter;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.norm.Dropout;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.convkit.core.ConvkitException;
import org.convkit.model.ConvNet;
import org.convkit.model.layers.Activations;
import org.convkit.model.layers.AdaptiveAvgPool2d;
import org.convkit.model.layers.BatchNormFolding;
import org.convkit.model.layers.BlockNames;
import org.convkit.model.layers.Concat;
import org.convkit.model.layers.Flatten;
import org.convkit.model.layers.GlobalMaxPool2d;
import org.convkit.model.layers.Named;
import org.convkit.model.layers.Pool2d;
import org.convkit.model.layers.Traceable;

/**
 * Walks a convkit network's blocks in forward order and writes the ONNX nodes of its evaluation
 * pass into an {@link OnnxGraph}: sequences and named stages child by child, Inception branches
 * as a Concat, residual blocks through {@link Traceable}, and each layer as its operator. Dropout
 * disappears (identity in evaluation); shapes are followed from the network's own shape inference
 * so pooling pads and adaptive pools are fixed at the input size exported.
 *
 * <p>Weights become constants named by their parameter paths ({@code
 * backbone.layer1.0.conv1.weight}), nodes by their layer paths, so the graph reads like the network.
 */
final class NetworkTracer implements Traceable.Tracer<String> {
    private final OnnxGraph g;
    /** What is traced, for messages: the network's architecture. */
    private final String subject;
    private final Map<Parameter, String> paramNames = new IdentityHashMap<>();
    private final Map<String, Shape> shapes = new HashMap<>();
    /** The blocks being traced, innermost last, and their paths: to name a child by its parent's name for it. */
    private final Deque<Block> blocks = new ArrayDeque<>();
    private final Deque<String> paths = new ArrayDeque<>();

    private NetworkTracer(OnnxGraph g, String subject, Map<String, Parameter> parameters) {
        this.g = g;
        this.subject = subject;
        parameters.forEach((path, p) -> paramNames.put(p, path));
    }

    /**
     * Traces {@code net} on input {@code input} (one image's (1, C, H, W) shape).
     *
     * @return the output value of each head, in head order
     */
    static List<String> trace(OnnxGraph g, ConvNet net, String input) {
        if (net.featureInput()) {
            throw new ConvkitException(net.architecture() + " is set to take backbone features, not images; export the whole network");
        }
        NetworkTracer t = new NetworkTracer(g, net.architecture(), net.parametersByPath());
        t.shapes.put(input, net.inputShape());
        t.blocks.push(net);
        t.paths.push("");
        String features = t.apply(net.backbone(), input);
        List<String> outs = new ArrayList<>();
        t.blocks.push(net.heads());
        t.paths.push("head");
        for (Block head : net.heads().getChildren().values()) {
            outs.add(t.apply(head, features));
        }
        return outs;
    }

    /**
     * Traces a block on its own (the engine check's probes: a convolution, a few layers), its
     * parameters named by DJL's paths.
     *
     * @param shape the input's shape (N, C, H, W)
     * @return the output value
     */
    static String traceBlock(OnnxGraph g, Block block, String name, String input, Shape shape) {
        Map<String, Parameter> params = new LinkedHashMap<>();
        block.getParameters().forEach(p -> params.put(p.getKey(), p.getValue()));
        NetworkTracer t = new NetworkTracer(g, name, params);
        t.shapes.put(input, shape);
        t.blocks.push(block);
        t.paths.push("");
        return t.emit(block, name, input);
    }

    /** The shape of a value (batch axis 1). */
    Shape shape(String v) {
        return shapes.get(v);
    }

    @Override
    public String apply(Block b, String x) {
        String path = childPath(b);
        blocks.push(b);
        paths.push(path);
        try {
            return emit(b, path, x);
        } finally {
            blocks.pop();
            paths.pop();
        }
    }

    private String emit(Block b, String path, String x) {
        if (b instanceof Traceable t) {
            return t.trace(this, x);
        }
        if (b instanceof Concat) {
            List<String> branches = new ArrayList<>();
            for (Block branch : b.getChildren().values()) {
                branches.add(apply(branch, x));
            }
            String y = g.node("Concat", path, attrs("axis", 1L), branches.toArray(String[]::new));
            shapes.put(y, b.getOutputShapes(new Shape[] {shapes.get(x)})[0]);
            return y;
        }
        if (b instanceof SequentialBlock || b instanceof Named) {
            String y = x;
            for (Block child : b.getChildren().values()) {
                y = apply(child, y);
            }
            return y;
        }
        if (b instanceof Dropout) {
            return x; // evaluation: the identity
        }
        String y = layer(b, path, x);
        shapes.put(y, b.getOutputShapes(new Shape[] {shapes.get(x)})[0]);
        return y;
    }

    private String layer(Block b, String path, String x) {
        Shape in = shapes.get(x);
        if (b instanceof Conv2d c) {
            Shape stride = c.getStride();
            Shape pad = c.getPadding();
            Shape dilation = c.getDilation();
            Parameter w = parameter(b, "weight");
            Shape k = w.getArray().getShape();
            Map<String, Object> a = attrs(
                    "kernel_shape", new long[] {k.get(2), k.get(3)},
                    "strides", new long[] {stride.get(0), stride.get(1)},
                    "pads", new long[] {pad.get(0), pad.get(1), pad.get(0), pad.get(1)},
                    "dilations", new long[] {dilation.get(0), dilation.get(1)},
                    "group", (long) c.getGroups());
            return c.isIncludeBias()
                    ? g.node("Conv", path, a, x, weight(w), weight(parameter(b, "bias")))
                    : g.node("Conv", path, a, x, weight(w));
        }
        if (b instanceof Linear) {
            if (in.dimension() != 2) {
                throw unsupported(b, path, "a Linear on a " + in.dimension() + "-d input (flatten first)");
            }
            return g.node("Gemm", path, attrs("transB", 1L), x, weight(parameter(b, "weight")), weight(parameter(b, "bias")));
        }
        if (b instanceof BatchNorm bn) {
            return g.node("BatchNormalization", path, attrs("epsilon", BatchNormFolding.epsilon(bn)), x,
                    weight(parameter(b, "gamma")), weight(parameter(b, "beta")),
                    weight(parameter(b, "runningMean")), weight(parameter(b, "runningVar")));
        }
        if (b instanceof Activations.Elementwise e) {
            return switch (e.name()) {
                case "ReLU" -> g.node("Relu", path, attrs(), x);
                case "Sigmoid" -> g.node("Sigmoid", path, attrs(), x);
                default -> throw unsupported(b, path, "the activation " + e.name());
            };
        }
        if (b instanceof Pool2d p) {
            return pool(p, path, x, in);
        }
        if (b instanceof AdaptiveAvgPool2d p) {
            return adaptiveAvgPool(p, path, x, in);
        }
        if (b instanceof GlobalMaxPool2d) {
            return g.node("GlobalMaxPool", path, attrs(), x);
        }
        if (b instanceof Flatten) {
            return g.node("Flatten", path, attrs("axis", 1L), x);
        }
        throw unsupported(b, path, "the layer " + b.getClass().getSimpleName());
    }

    @Override
    public String add(String a, String b) {
        String y = g.node("Add", paths.peek() + ".add", attrs(), a, b);
        shapes.put(y, shapes.get(a));
        return y;
    }

    @Override
    public String relu(String x) {
        String y = g.node("Relu", paths.peek() + ".relu", attrs(), x);
        shapes.put(y, shapes.get(x));
        return y;
    }

    /**
     * Max or average pooling with torch's output size. torch's ceil mode lets the last window hang
     * over the edge; ONNX's ceil mode counts differently in corner cases, so the exporter never
     * uses it: the overhang becomes explicit end padding in floor mode (ignored by MaxPool, not
     * counted by AveragePool), which gives torch's sizes and values whatever the opset.
     */
    private String pool(Pool2d p, String path, String x, Shape in) {
        long[] pads = new long[4];
        for (int axis = 0; axis < 2; axis++) {
            long size = in.get(2 + axis);
            long out = Pool2d.outLength(size, p.kernel(), p.stride(), p.padding(), p.ceilMode());
            long end = Math.max(p.padding(), (out - 1) * p.stride() + p.kernel() - size - p.padding());
            if ((size + p.padding() + end - p.kernel()) / p.stride() + 1 != out) {
                throw unsupported(p, path, "this pooling on a " + size + "-pixel input");
            }
            pads[axis] = p.padding();
            pads[axis + 2] = end;
        }
        boolean overhang = pads[2] > p.padding() || pads[3] > p.padding();
        Map<String, Object> a = attrs(
                "kernel_shape", new long[] {p.kernel(), p.kernel()},
                "strides", new long[] {p.stride(), p.stride()},
                "pads", pads);
        if (p.isMax()) {
            return g.node("MaxPool", path, a, x);
        }
        if (overhang && p.padding() > 0) {
            // torch divides by the window inside input + padding, ONNX by the window or by the inside
            throw unsupported(p, path, "average pooling with both padding and ceil mode");
        }
        // torch counts padded zeros (count_include_pad=True); with no padding only the overhang
        // could be counted, and torch does not count it
        a.put("count_include_pad", overhang ? 0L : 1L);
        return g.node("AveragePool", path, a, x);
    }

    /**
     * torch's adaptive average pool at the exported input size: nothing when the input already has
     * the output size, a global pool for 1x1, a plain average pool when the sizes divide, else two
     * matrix products with constant averaging matrices (each output cell averages rows
     * floor(i*in/out) .. ceil((i+1)*in/out), as torch's bins do).
     */
    private String adaptiveAvgPool(AdaptiveAvgPool2d p, String path, String x, Shape in) {
        long ih = in.get(2);
        long iw = in.get(3);
        long oh = p.outputSize().get(0);
        long ow = p.outputSize().get(1);
        if (ih == oh && iw == ow) {
            return g.node("Identity", path, attrs(), x);
        }
        if (oh == 1 && ow == 1) {
            return g.node("GlobalAveragePool", path, attrs(), x);
        }
        if (ih % oh == 0 && iw % ow == 0) {
            return g.node("AveragePool", path, attrs(
                    "kernel_shape", new long[] {ih / oh, iw / ow},
                    "strides", new long[] {ih / oh, iw / ow}), x);
        }
        String rows = g.constant(path + ".rows", new long[] {oh, ih}, bins(oh, ih, false));
        String cols = g.constant(path + ".cols", new long[] {iw, ow}, bins(ow, iw, true));
        String y = g.node("MatMul", path + ".h", attrs(), rows, x);
        return g.node("MatMul", path, attrs(), y, cols);
    }

    /** The averaging matrix (out, in), or its transpose (in, out). */
    private static float[] bins(long out, long in, boolean transposed) {
        float[] m = new float[(int) (out * in)];
        for (long i = 0; i < out; i++) {
            long start = Math.floorDiv(i * in, out);
            long end = -Math.floorDiv(-(i + 1) * in, out);
            for (long j = start; j < end; j++) {
                m[(int) (transposed ? j * out + i : i * in + j)] = 1f / (end - start);
            }
        }
        return m;
    }

    /** The constant holding a parameter's values, named by its path (added once). */
    private String weight(Parameter p) {
        String name = paramNames.get(p);
        if (name == null) {
            throw new IllegalStateException("a parameter outside the network: " + p.getName());
        }
        if (!g.constants.containsKey(name)) {
            Shape s = p.getArray().getShape();
            String added = g.constant(name, s.getShape(), p.getArray().toFloatArray());
            if (!added.equals(name)) {
                throw new IllegalStateException("the name " + name + " is taken by another value");
            }
        }
        return name;
    }

    /** The path of {@code b} under the block being traced, e.g. "backbone.layer1.0.conv1". */
    private String childPath(Block b) {
        Block parent = blocks.peek();
        String parentPath = paths.peek();
        var children = parent.getChildren();
        for (int i = 0; i < children.size(); i++) {
            if (children.valueAt(i) == b) {
                // DJL keys a child by position and name ("01conv1"); the path is torch's ("conv1", "0")
                String name = BlockNames.child(parent, i);
                return parentPath.isEmpty() ? name : parentPath + "." + name;
            }
        }
        return parentPath + "." + b.getClass().getSimpleName().toLowerCase(java.util.Locale.ROOT);
    }

    private ConvkitException unsupported(Block b, String path, String what) {
        return new ConvkitException(subject + ": cannot export " + what + " at " + path
                + " to ONNX (convkit's exporter knows Conv2d, BatchNorm, Linear, ReLU/Sigmoid, max/average pooling,"
                + " adaptive average pooling, Flatten, Dropout, Inception branches and residual blocks)");
    }

    /** Attributes in the order given: name, value, name, value ... */
    private static Map<String, Object> attrs(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }
}
