package org.convkit.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.convkit.core.Runtime;
import org.convkit.train.optim.ParamGroup;

/**
 * Free-standing parameters with gradients we choose, for optimizer tests: the gradient of
 * sum(w * G) with respect to w is G, so one backward pass sets every gradient exactly.
 */
final class Params implements AutoCloseable {
    final NDManager manager;
    final Map<String, Parameter> byPath = new LinkedHashMap<>();
    final List<Shape> shapes;

    Params(List<Shape> shapes, long seed) {
        Runtime.init();
        this.manager = NDManager.newBaseManager();
        this.shapes = shapes;
        Random r = new Random(seed);
        for (int i = 0; i < shapes.size(); i++) {
            Parameter p = Parameter.builder().setName("p" + i).setType(Parameter.Type.WEIGHT).build();
            NDArray a = manager.create(gaussian(r, (int) shapes.get(i).size()), shapes.get(i));
            p.setArray(a);
            a.setRequiresGradient(true);
            byPath.put("p" + i, p);
        }
    }

    static float[] gaussian(Random r, int n) {
        float[] f = new float[n];
        for (int i = 0; i < n; i++) {
            f[i] = (float) r.nextGaussian();
        }
        return f;
    }

    List<ParamGroup> oneGroup(double weightDecay) {
        return List.of(new ParamGroup("all", byPath, 1, weightDecay));
    }

    /** Sets the gradient of parameter i to grads[i] (null: leave it without one). */
    void setGrads(float[][] grads) {
        Engine engine = Runtime.init();
        try (NDScope scope = new NDScope();
                GradientCollector gc = engine.newGradientCollector()) {
            scope.suppressNotUsedWarning();
            NDArray total = null;
            int i = 0;
            for (Parameter p : byPath.values()) {
                if (grads[i] != null) {
                    NDArray g = manager.create(grads[i], shapes.get(i));
                    NDArray term = p.getArray().mul(g).sum();
                    total = total == null ? term : total.add(term);
                }
                i++;
            }
            gc.backward(total);
        }
    }

    /** Sets the gradient of parameter i only (others must not need one, e.g. frozen). */
    void setGradsOnly(int index, float[] grad) {
        float[][] g = new float[shapes.size()][];
        g[index] = grad;
        setGrads(g);
    }

    float[] values(int i) {
        return byPath.get("p" + i).getArray().toFloatArray();
    }

    @Override
    public void close() {
        manager.close();
    }
}
