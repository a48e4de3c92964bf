package org.convkit.onnx;

import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.convkit.onnx.proto.Onnx;

/**
 * A computation graph as the exporter builds it, before it becomes protobuf: nodes in topological
 * order over named values, float32 constants (weights). Kept apart from the protobuf messages so
 * that passes over it ({@link BatchNormFold}) work on plain Java values.
 */
final class OnnxGraph {
    /**
     * One operator call.
     *
     * @param op the ONNX operator ("Conv")
     * @param name the node's name: the layer's parameter path, for people reading the graph
     * @param inputs value names, in the operator's input order
     * @param output the one value it makes
     * @param attributes Long, Float, long[] or float[] values by attribute name
     */
    record Node(String op, String name, List<String> inputs, String output, Map<String, Object> attributes) {}

    /** A float32 constant. */
    record Constant(String name, long[] dims, float[] values) {}

    final List<Node> nodes = new ArrayList<>();
    final Map<String, Constant> constants = new LinkedHashMap<>();
    private final Set<String> names = new HashSet<>();
    private final Map<String, Integer> counters = new HashMap<>();
    /** Names kept for {@link #rename} (graph inputs and outputs), never handed out by {@link #fresh}. */
    private final Set<String> reserved = new HashSet<>();

    /** Keeps {@code name} for a graph input or output. */
    void reserve(String name) {
        names.add(name);
        reserved.add(name);
    }

    /** A value name not used yet, from {@code base}. */
    String fresh(String base) {
        String b = base.isEmpty() ? "v" : base;
        String name = b;
        while (names.contains(name)) {
            name = b + "_" + counters.merge(b, 1, Integer::sum);
        }
        names.add(name);
        return name;
    }

    /** Adds a constant under a fresh name from {@code base}; returns its name. */
    String constant(String base, long[] dims, float[] values) {
        long n = 1;
        for (long d : dims) {
            n *= d;
        }
        if (n != values.length) {
            throw new IllegalArgumentException(base + ": " + values.length + " values for dims " + java.util.Arrays.toString(dims));
        }
        String name = fresh(base);
        constants.put(name, new Constant(name, dims.clone(), values));
        return name;
    }

    /** Adds a node; returns the name of the value it makes. */
    String node(String op, String name, Map<String, Object> attributes, String... inputs) {
        String out = fresh(name.isEmpty() ? op.toLowerCase(java.util.Locale.ROOT) : name);
        nodes.add(new Node(op, out, List.of(inputs), out, attributes));
        return out;
    }

    /** Nodes that read value {@code v}. */
    List<Node> consumers(String v) {
        List<Node> out = new ArrayList<>();
        for (Node n : nodes) {
            if (n.inputs().contains(v)) {
                out.add(n);
            }
        }
        return out;
    }

    /** The node that makes value {@code v}, or null (a graph input, a constant). */
    Node producer(String v) {
        for (Node n : nodes) {
            if (n.output().equals(v)) {
                return n;
            }
        }
        return null;
    }

    /** Renames value {@code from} everywhere (a graph output gets its public name). */
    void rename(String from, String to) {
        if (names.contains(to) && !reserved.contains(to) && !from.equals(to)) {
            throw new IllegalArgumentException("value name " + to + " is taken");
        }
        names.add(to);
        for (int i = 0; i < nodes.size(); i++) {
            Node n = nodes.get(i);
            List<String> in = n.inputs().stream().map(v -> v.equals(from) ? to : v).toList();
            String out = n.output().equals(from) ? to : n.output();
            nodes.set(i, new Node(n.op(), n.name(), in, out, n.attributes()));
        }
    }

    /** Drops constants no node reads any more (after a fold replaced them). */
    void dropUnusedConstants() {
        Set<String> used = new HashSet<>();
        for (Node n : nodes) {
            used.addAll(n.inputs());
        }
        constants.keySet().retainAll(used);
    }

    /** The nodes and constants as an ONNX graph; inputs and outputs are the caller's. */
    Onnx.GraphProto.Builder toProto(String graphName) {
        Onnx.GraphProto.Builder g = Onnx.GraphProto.newBuilder().setName(graphName);
        for (Node n : nodes) {
            Onnx.NodeProto.Builder b = Onnx.NodeProto.newBuilder()
                    .setOpType(n.op()).setName(n.name()).addAllInput(n.inputs()).addOutput(n.output());
            n.attributes().forEach((k, v) -> b.addAttribute(attribute(k, v)));
            g.addNode(b);
        }
        for (Constant c : constants.values()) {
            ByteBuffer bytes = ByteBuffer.allocate(c.values().length * 4).order(ByteOrder.LITTLE_ENDIAN);
            bytes.asFloatBuffer().put(c.values());
            g.addInitializer(Onnx.TensorProto.newBuilder()
                    .setName(c.name())
                    .setDataType(Onnx.TensorProto.DataType.FLOAT_VALUE)
                    .addAllDims(java.util.Arrays.stream(c.dims()).boxed().toList())
                    .setRawData(ByteString.copyFrom(bytes.array())));
        }
        return g;
    }

    private static Onnx.AttributeProto attribute(String name, Object v) {
        Onnx.AttributeProto.Builder a = Onnx.AttributeProto.newBuilder().setName(name);
        if (v instanceof Long l) {
            a.setType(Onnx.AttributeProto.AttributeType.INT).setI(l);
        } else if (v instanceof Integer i) {
            a.setType(Onnx.AttributeProto.AttributeType.INT).setI(i);
        } else if (v instanceof Float f) {
            a.setType(Onnx.AttributeProto.AttributeType.FLOAT).setF(f);
        } else if (v instanceof long[] ints) {
            a.setType(Onnx.AttributeProto.AttributeType.INTS);
            for (long x : ints) {
                a.addInts(x);
            }
        } else if (v instanceof float[] floats) {
            a.setType(Onnx.AttributeProto.AttributeType.FLOATS);
            for (float x : floats) {
                a.addFloats(x);
            }
        } else {
            throw new IllegalArgumentException("attribute " + name + ": unsupported value " + v);
        }
        return a.build();
    }
}
