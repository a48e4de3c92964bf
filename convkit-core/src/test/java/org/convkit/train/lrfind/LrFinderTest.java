package org.convkit.train.lrfind;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.convkit.core.Runtime;
import org.convkit.model.ConvNet;
import org.convkit.model.ModelOptions;
import org.convkit.model.Zoo;
import org.convkit.train.Batches;
import org.convkit.transfer.Fixtures;
import org.convkit.train.Learner;
import org.convkit.train.ParamGroups;
import org.convkit.train.loss.Loss;
import org.convkit.train.optim.Optimizer;
import org.convkit.train.optim.Optimizers;
import org.convkit.train.schedule.Constant;
import org.junit.jupiter.api.Test;

class LrFinderTest {
    /** simplecnn shrunk: Conv-BN-ReLU-Pool, a Linear with Dropout, the head. */
    private static ConvNet net(NDManager m) {
        ModelOptions o = Zoo.get("simplecnn").defaults().withInput(1, 8, 8).withClasses(3).withArch("6").withFc("16")
                .withDropout(0.2);
        return Zoo.create("simplecnn", o).initialize(m);
    }

    @Test
    void sweepsUntilTheLossDivergesAndLeavesWeightsStatisticsAndOptimizerAsTheyWere() {
        Runtime.init().setRandomSeed(1);
        try (NDManager m = NDManager.newBaseManager()) {
            ConvNet net = net(m);
            Batches data = Fixtures.random(96, 1, 8, 3, 16, 5);
            Optimizer opt = Optimizers.create("sgd", ParamGroups.all(net, 5e-4), m, new Optimizers.Settings(0.9, true, 5e-4));
            // a little real training first, so the optimizer has momentum buffers and step counts
            Learner learner = Learner.builder(net, opt).device(Device.cpu()).loss(Loss.of("ce", 0.1)).schedule(new Constant(), 0.05)
                    .options(new Learner.Options(1, 0, 3)).callbacks(List.of()).build();
            learner.fit(1, data, null);
            Map<String, byte[]> weights = bytes(net);
            Map<String, byte[]> state = new LinkedHashMap<>();
            opt.stateTensors().forEach((k, v) -> state.put(k, v.toByteArray()));
            Map<String, Object> scalars = opt.stateScalars();
            double momentum = opt.momentum();

            List<Double> stepped = new ArrayList<>();
            org.convkit.train.Callback learnersLr = new org.convkit.train.Callback() {
                @Override
                public void onBatchEnd(Learner l, BatchEnd b) {
                    stepped.add(l.lastLr());
                }
            };
            LrFinder.Result r = LrFinder.run(Learner.builder(net, opt).device(Device.cpu()).loss(Loss.of("ce", 0.1))
                    .options(new Learner.Options(1, 0, 7)).callback(learnersLr), data,
                    LrFinder.Settings.defaults().with(1e-5, 1e4, 60));

            assertTrue(r.points().size() < 60, "stopped early: the loss diverges long before lr 1e4 (" + r.stopReason() + ")");
            assertTrue(r.stopReason().contains("4x its best") || r.stopReason().contains("became"), r.stopReason());
            double last = r.points().get(r.points().size() - 1).lr();
            assertEquals(1e-5, r.points().get(0).lr(), 1e-18, "the sweep starts at --start");
            assertTrue(stepped.size() >= r.points().size() - 1, stepped.size() + " steps for " + r.points().size());
            for (int i = 0; i < stepped.size(); i++) {
                assertEquals(stepped.get(i), r.points().get(i).lr(), 0, "point " + i + " has the rate its step took");
            }
            assertTrue(r.minimum() < last, r.toString());
            assertTrue(Double.isNaN(r.suggestion()) || (r.suggestion() > 1e-5 && r.suggestion() < last), r.toString());
            for (int i = 1; i < r.points().size(); i++) {
                assertEquals(Math.pow(1e9, 1.0 / 59), r.points().get(i).lr() / r.points().get(i - 1).lr(), 1e-9,
                        "exponential steps");
            }
            Map<String, byte[]> after = bytes(net);
            assertEquals(weights.keySet(), after.keySet());
            weights.forEach((k, v) -> assertArrayEquals(v, after.get(k), k + " is byte-identical after lr-find"));
            assertEquals(state.keySet(), opt.stateTensors().keySet());
            state.forEach((k, v) -> assertArrayEquals(v, opt.stateTensors().get(k).toByteArray(), "optimizer " + k));
            assertEquals(scalars, opt.stateScalars(), "step counts");
            assertEquals(momentum, opt.momentum(), 0);
            opt.close();
        }
    }

    @Test
    void smoothingIsFastaisBiasCorrectedAverage() {
        // losses of a known shape: falling towards lr 1e-2, then rising
        List<LrFinder.Point> points = new ArrayList<>();
        double avg = 0;
        for (int i = 0; i < 50; i++) {
            double lr = 1e-6 * Math.pow(10, i / 7.0);
            double loss = 2 + Math.pow(Math.log10(lr) + 2, 2) / 4;
            avg = 0.98 * avg + 0.02 * loss;
            points.add(new LrFinder.Point(lr, loss, avg / (1 - Math.pow(0.98, i + 1))));
        }
        // the first smoothed value is the first loss itself (bias correction)
        assertEquals(points.get(0).loss(), points.get(0).smoothed(), 1e-12);
        LrFinder.Result r = LrFinder.suggest(points, "test");
        int min = 0;
        for (int i = 1; i < points.size(); i++) {
            if (points.get(i).smoothed() < points.get(min).smoothed()) {
                min = i;
            }
        }
        assertEquals(points.get(min).lr(), r.minimum(), 0);
        assertTrue(r.steepest() < r.minimum(), "the steepest descent comes before the minimum");
    }

    private static Map<String, byte[]> bytes(ConvNet net) {
        Map<String, byte[]> out = new LinkedHashMap<>();
        net.parametersByPath().forEach((k, p) -> out.put(k, p.getArray().toByteArray()));
        return out;
    }
}
