package org.convkit.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import java.util.List;
import java.util.Set;
import org.convkit.core.ConvkitException;
import org.convkit.core.Runtime;
import org.convkit.model.ConvNet;
import org.convkit.train.Batches;
import org.convkit.train.Learner;
import org.convkit.train.ParamGroups;
import org.junit.jupiter.api.Test;

/**
 * Frozen means frozen: after training with a frozen backbone, the frozen stages' weights and
 * BatchNorm statistics are bit for bit what they were, while the stages that trained (statistics
 * included) moved. And the check can fail: DJL's freezeParameters alone, the usual way to freeze,
 * leaves BatchNorm statistics moving, and the fingerprint sees it.
 */
class FreezingTest {
    @Test
    void stageSelections() {
        ConvNet net = Fixtures.resnet(3, 4);
        var b = net.backbone();
        assertEquals(List.of("stem", "layer1", "layer2", "layer3", "layer4", "pool"), b.stageNames());
        assertEquals(Set.copyOf(b.stageNames()), Freezing.stages(b, "all"));
        assertEquals(Set.of(), Freezing.stages(b, "none"));
        assertEquals(Set.of("layer4", "pool"), Freezing.stages(b, "last:1"), "pooling trains along with what precedes it");
        assertEquals(Set.of("layer3", "layer4", "pool"), Freezing.stages(b, "last:2"));
        assertEquals(Set.of("layer3", "layer4"), Freezing.stages(b, "layer3, layer4"));
        ConvkitException e = assertThrows(ConvkitException.class, () -> Freezing.stages(b, "layer3,layr4"));
        assertTrue(e.getMessage().contains("no stage 'layr4'") && e.getMessage().contains("stem, layer1, layer2, layer3,"
                + " layer4, pool"), e.getMessage());
        assertThrows(ConvkitException.class, () -> Freezing.stages(b, "last:x"));
    }

    @Test
    void countsFollowTheParametersOwnFlags() {
        Runtime.init();
        try (NDManager m = NDManager.newBaseManager()) {
            ConvNet net = Fixtures.resnet(3, 4).initialize(m);
            Freezing.apply(net.backbone(), Set.of("layer4", "pool"));
            Freezing.verify(net);
            long total = 0;
            for (Freezing.StageCount c : Freezing.counts(net)) {
                boolean trains = c.stage().equals("head") || c.stage().equals("layer4");
                assertEquals(trains, c.trainable() > 0, c.toString());
                assertEquals(!trains && !c.stage().equals("pool"), c.frozen() > 0, c.toString());
                total += c.trainable() + c.frozen();
            }
            long params = net.parametersByPath().values().stream().filter(p -> !org.convkit.model.ParamPaths.isBuffer(p))
                    .mapToLong(p -> p.getArray().size()).sum();
            assertEquals(params, total, "every parameter counted once");
        }
    }

    @Test
    void frozenStagesHoldWeightsAndStatisticsWhileTrainedStagesMove() {
        Runtime.init().setRandomSeed(3);
        try (NDManager m = NDManager.newBaseManager()) {
            ConvNet net = Fixtures.resnet(3, 4).initialize(m);
            List<String> frozen = List.of("stem", "layer1", "layer2", "layer3");
            Freezing.apply(net.backbone(), Set.of("layer4", "pool"));
            String frozenBefore = Freezing.fingerprint(net, frozen);
            String trainedBefore = Freezing.fingerprint(net, List.of("layer4"));
            float[] meanBefore = runningMean(net, "backbone.layer4.0.bn1.running_mean");
            train(net, m);
            assertEquals(frozenBefore, Freezing.fingerprint(net, frozen), "frozen: weights and BN statistics unchanged");
            assertNotEquals(trainedBefore, Freezing.fingerprint(net, List.of("layer4")), "layer4 trained");
            assertFalse(java.util.Arrays.equals(meanBefore, runningMean(net, "backbone.layer4.0.bn1.running_mean")),
                    "an unfrozen stage's BatchNorm statistics move");
        }
    }

    @Test
    void freezingParametersAloneLetsBatchNormStatisticsMoveAndTheFingerprintSeesIt() {
        Runtime.init().setRandomSeed(3);
        try (NDManager m = NDManager.newBaseManager()) {
            ConvNet net = Fixtures.resnet(3, 4).initialize(m);
            // DJL's way: no gradients, but the stage still runs in training mode
            net.backbone().stage("layer1").freezeParameters(true);
            String before = Freezing.fingerprint(net, List.of("layer1"));
            String weightsBefore = weightsOnly(net, "backbone.layer1.");
            train(net, m);
            assertEquals(weightsBefore, weightsOnly(net, "backbone.layer1."), "no gradient reached the weights");
            assertNotEquals(before, Freezing.fingerprint(net, List.of("layer1")), "but the running statistics moved");
        }
    }

    @Test
    void unfreezingLeavesRunningStatisticsWithoutGradientAndTrains() {
        Runtime.init().setRandomSeed(5);
        try (NDManager m = NDManager.newBaseManager()) {
            ConvNet net = Fixtures.resnet(3, 4).initialize(m);
            Freezing.apply(net.backbone(), Set.of());
            Freezing.apply(net.backbone(), Set.copyOf(net.backbone().stageNames()));
            for (var e : net.parametersByPath().entrySet()) {
                if (org.convkit.model.ParamPaths.isBuffer(e.getValue())) {
                    assertFalse(e.getValue().requiresGradient(), e.getKey());
                }
            }
            Freezing.verify(net);
            train(net, m); // a running mean requiring grad would fail BatchNorm's in-place update here
        }
    }

    private static void train(ConvNet net, NDManager m) {
        Batches data = Fixtures.random(32, 3, 8, 4, 16, 1);
        Learner l = Fixtures.learner(net, m, ParamGroups.all(net, 0), 0.05);
        l.fit(1, data, null);
        l.optimizer().close();
    }

    private static float[] runningMean(ConvNet net, String path) {
        Parameter p = net.parametersByPath().get(path);
        return p.getArray().toFloatArray();
    }

    /** A fingerprint of the trainable parameters only (no statistics) under {@code prefix}. */
    private static String weightsOnly(ConvNet net, String prefix) {
        StringBuilder sb = new StringBuilder();
        net.parametersByPath().forEach((path, p) -> {
            if (path.startsWith(prefix) && !org.convkit.model.ParamPaths.isBuffer(p)) {
                sb.append(java.util.Arrays.hashCode(p.getArray().toFloatArray())).append(',');
            }
        });
        return sb.toString();
    }
}
