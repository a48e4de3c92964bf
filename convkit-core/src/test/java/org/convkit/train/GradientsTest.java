package org.convkit.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import java.util.List;
import java.util.Random;
import org.convkit.core.Runtime;
import org.convkit.model.ConvNet;
import org.convkit.model.Zoo;
import org.convkit.train.loss.Loss;
import org.convkit.train.optim.Optimizer;
import org.convkit.train.optim.Optimizers;
import org.convkit.train.schedule.Constant;
import org.junit.jupiter.api.Test;

class GradientsTest {
    @Test
    void clipScalesAllGradientsToTheGlobalNorm() {
        List<Shape> shapes = List.of(new Shape(3, 4), new Shape(5));
        try (Params p = new Params(shapes, 1)) {
            Random r = new Random(2);
            float[][] g = {Params.gaussian(r, 12), Params.gaussian(r, 5)};
            double norm = 0;
            for (float[] a : g) {
                for (float v : a) {
                    norm += v * v;
                }
            }
            norm = Math.sqrt(norm);
            p.setGrads(g);
            Optimizer opt = Optimizers.create("sgd", p.oneGroup(0), p.manager, new Optimizers.Settings(0.0, false, 0.0));
            assertEquals(norm, Gradients.clipGlobalNorm(opt, norm * 2), 1e-5, "the norm before clipping");
            assertArrayEquals(g[0], p.byPath.get("p0").getArray().getGradient().toFloatArray(), 0f, "under the limit: untouched");
            Gradients.clipGlobalNorm(opt, 1.0);
            double coef = 1.0 / (norm + 1e-6); // torch's clip_coef
            for (int i = 0; i < 2; i++) {
                float[] got = p.byPath.get("p" + i).getArray().getGradient().toFloatArray();
                for (int j = 0; j < got.length; j++) {
                    assertEquals(g[i][j] * coef, got[j], 1e-6, "p" + i + "[" + j + "]");
                }
            }
        }
    }

    /** Two half batches with accumulated gradients make the same SGD step as one full batch. */
    @Test
    void accumulatedHalfBatchesEqualOneFullBatch() {
        float[] full = train(32, 1);
        float[] accumulated = train(16, 2);
        assertArrayEquals(full, accumulated, 2e-5f);
    }

    private static float[] train(int batchSize, int accum) {
        Engine engine = Runtime.init();
        engine.setRandomSeed(4);
        try (NDManager m = NDManager.newBaseManager()) {
            // LeNet: no BatchNorm, no Dropout, so the batch split changes nothing but the sums' order
            ConvNet net = Zoo.create("lenet", Zoo.get("lenet").defaults().withClasses(4)).initialize(m);
            Optimizer opt = Optimizers.create("sgd", ParamGroups.all(net, 1e-3), m, new Optimizers.Settings(0.9, false, 1e-3));
            Learner l = Learner.builder(net, opt).device(Device.cpu()).loss(Loss.of("ce", 0.1)).schedule(new Constant(), 0.5)
                    .options(new Learner.Options(accum, 0, 1)).callbacks(List.of()).build();
            l.fit(1, Tiny.quadrants(64, 28, batchSize, true, 3), null);
            assertEquals(2, l.state().step, "64 samples = two steps of 32");
            Parameter w = net.parametersByPath().values().iterator().next();
            return w.getArray().toFloatArray();
        }
    }
}
