package org.convkit.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Test helpers: run networks for real and compare with what shape inference claims. */
final class Nets {
    private Nets() {}

    /** Default options of {@code name} with a different input size (channels kept). */
    static ModelOptions at(String name, int size) {
        ModelOptions d = Zoo.get(name).defaults();
        return d.withInput(d.channels(), size, size);
    }

    /**
     * Forwards a random batch through the backbone stage by stage and then the heads, asserting
     * that every real output shape equals the inferred one. Returns the heads' output shapes.
     */
    static List<Shape> forwardCheckingStages(ConvNet net, NDManager m, int batch) {
        NDArray x = m.randomNormal(new Shape(batch, net.options().channels(), net.options().height(), net.options().width()));
        ParameterStore ps = new ParameterStore(m, false);
        NDList y = new NDList(x);
        Shape[] inferred = {x.getShape()};
        for (String stage : net.backbone().stageNames()) {
            y = net.backbone().stage(stage).forward(ps, y, false);
            inferred = net.backbone().stage(stage).getOutputShapes(inferred);
            assertEquals(inferred[0], y.singletonOrThrow().getShape(), net.architecture() + " stage " + stage);
        }
        NDList out = net.heads().forward(ps, y, false);
        List<Shape> shapes = new ArrayList<>();
        Shape[] heads = net.heads().getOutputShapes(inferred);
        for (int i = 0; i < out.size(); i++) {
            assertEquals(heads[i], out.get(i).getShape(), net.architecture() + " head " + i);
            shapes.add(out.get(i).getShape());
        }
        return shapes;
    }

    /** Output shape of every backbone stage (and "head") by shape inference, batch of one. */
    static Map<String, List<Long>> stageShapes(ConvNet net) {
        Map<String, List<Long>> out = new LinkedHashMap<>();
        for (Summary.Stage s : Summary.of(net).stages()) {
            out.put(s.name(), s.outputShape());
        }
        return out;
    }

    /** Output shapes of the leaf layers under {@code prefix}, in order, batch of one. */
    static List<List<Long>> layerShapes(ConvNet net, String prefix) {
        return Summary.of(net).layers().stream()
                .filter(r -> r.path().startsWith(prefix))
                .map(Summary.Row::outputShape)
                .toList();
    }

    static List<Long> dims(long... d) {
        List<Long> l = new ArrayList<>();
        for (long v : d) {
            l.add(v);
        }
        return l;
    }
}
