package org.convkit.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.convkit.core.Runtime;
import org.convkit.model.ConvNet;
import org.convkit.model.ModelOptions;
import org.convkit.model.Zoo;
import org.convkit.train.loss.Loss;
import org.convkit.train.optim.Optimizer;
import org.convkit.train.optim.Optimizers;
import org.convkit.train.schedule.Constant;
import org.convkit.transfer.Fixtures;
import org.junit.jupiter.api.Test;

/** A learner snapshot updated in place (the divergence guard's last good epoch) restores what it last saw. */
class LearnerSnapshotTest {
    @Test
    void anUpdateOverwritesTheSavedCopiesInPlaceAndRestoresTheUpdatedState() {
        Runtime.init().setRandomSeed(1);
        try (NDManager m = NDManager.newBaseManager()) {
            ModelOptions o = Zoo.get("simplecnn").defaults().withInput(1, 8, 8).withClasses(3).withArch("6").withFc("16");
            ConvNet net = Zoo.create("simplecnn", o).initialize(m);
            Batches data = Fixtures.random(32, 1, 8, 3, 16, 5);
            // Adam: its moments appear at the first step, after the first snapshot was taken
            Optimizer opt = Optimizers.create("adam", ParamGroups.all(net, 0), m, new Optimizers.Settings(0.9, false, 0.0));
            Learner learner = Learner.builder(net, opt).device(Device.cpu()).loss(Loss.of("ce", 0)).schedule(new Constant(), 0.01)
                    .options(new Learner.Options(1, 0, 3)).callbacks(List.of()).build();
            try (LearnerSnapshot s = LearnerSnapshot.of(learner)) {
                String path = net.parametersByPath().keySet().iterator().next();
                NDArray weightCopy = s.savedWeight(path);
                learner.fit(1, data, null);
                s.update(learner);
                assertSame(weightCopy, s.savedWeight(path), "the weight copy is overwritten, not re-allocated");
                Map<String, NDArray> moments = new LinkedHashMap<>();
                opt.stateTensors().keySet().forEach(k -> moments.put(k, s.savedOptimizerTensor(k)));
                assertFalse(moments.isEmpty(), "adam has state after a step");
                moments.values().forEach(v -> assertNotNull(v));
                Map<String, byte[]> weights = bytes(net);
                Map<String, byte[]> state = new LinkedHashMap<>();
                opt.stateTensors().forEach((k, v) -> state.put(k, v.toByteArray()));
                Map<String, Object> scalars = opt.stateScalars();

                learner.fit(2, data, null); // one more epoch moves everything
                s.update(learner);
                moments.forEach((k, v) -> assertSame(v, s.savedOptimizerTensor(k), "optimizer " + k + " copied in place"));
                Map<String, byte[]> second = bytes(net);
                Map<String, byte[]> secondState = new LinkedHashMap<>();
                opt.stateTensors().forEach((k, v) -> secondState.put(k, v.toByteArray()));

                learner.fit(3, data, null);
                s.restore(learner);
                second.forEach((k, v) -> assertArrayEquals(v, bytes(net).get(k), k + " is the second update's"));
                secondState.forEach((k, v) -> assertArrayEquals(v, opt.stateTensors().get(k).toByteArray(), "optimizer " + k));
                assertFalse(java.util.Arrays.equals(weights.get(path), second.get(path)), "the epochs changed the weights");
                assertEquals(state.keySet(), secondState.keySet());
                assertEquals(4, ((Number) ((Map<?, ?>) opt.stateScalars().get("steps")).values().iterator().next())
                        .longValue(), "step counts are the second update's (2 epochs of 2 batches), not " + scalars);
            }
            opt.close();
        }
    }

    private static Map<String, byte[]> bytes(ConvNet net) {
        Map<String, byte[]> m = new LinkedHashMap<>();
        net.parametersByPath().forEach((k, p) -> m.put(k, p.getArray().toByteArray()));
        return m;
    }
}
