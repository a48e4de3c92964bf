package org.convkit.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.engine.EngineException;
import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.List;
import org.convkit.core.Runtime;
import org.convkit.model.ConvNet;
import org.convkit.train.callback.OutOfMemory;
import org.convkit.train.loss.Loss;
import org.convkit.train.optim.Optimizer;
import org.convkit.train.optim.Optimizers;
import org.convkit.train.schedule.Constant;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Running out of memory ends with a message naming the batch size that failed and what to try. */
class OutOfMemoryTest {
    /** What libtorch's CPU allocator throws, as DJL wraps it. */
    private static final String TORCH_OOM = "DefaultCPUAllocator: not enough memory: you tried to allocate"
            + " 17179869184 bytes.";

    @Test
    void engineAllocationFailureInAStepBecomesAClearMessage() {
        Runtime.init();
        try (NDManager m = NDManager.newBaseManager()) {
            ConvNet net = Tiny.net(1, 8, 4).initialize(m);
            Optimizer opt = Optimizers.create("sgd", ParamGroups.all(net, 0), m, new Optimizers.Settings(null, null, null));
            Callback failing = new Callback() {
                @Override
                public void onLoss(Learner l, BatchEnd where, double loss) {
                    if (where.batch() == 2) {
                        throw new EngineException(TORCH_OOM); // simulated: the engine fails an allocation
                    }
                }
            };
            Learner learner = Learner.builder(net, opt).device(Device.cpu()).loss(Loss.of("ce", 0)).schedule(new Constant(), 0.1)
                    .options(new Learner.Options(1, 0, 1)).callbacks(List.of(failing, new OutOfMemory(32, 1, "1x8x8"))).build();
            TrainingStopped e = assertThrows(TrainingStopped.class,
                    () -> learner.fit(1, Tiny.quadrants(128, 8, 32, true, 1), null));
            assertTrue(e.getMessage().contains("batch size 32"), e.getMessage());
            assertTrue(e.getMessage().contains("batch 3/4"), e.getMessage());
            assertTrue(e.getMessage().contains("--batch-size 16") && e.getMessage().contains("--grad-accum 2"), e.getMessage());
            assertTrue(e.getCause() instanceof EngineException);
        }
    }

    @Test
    void otherErrorsPassThrough() {
        RuntimeException other = new IllegalArgumentException("shape mismatch");
        assertSame(other, new OutOfMemory(8, 1, "3x32x32").onError(null,
                new Callback.BatchEnd(0, 0, 1, 8, 0, 0, 0, 0, 0, 0, 0, 0), other));
    }

    /** oneDNN's words for the same failure, met under a memory limit. */
    @Test
    void oneDnnPrimitiveFailureIsOutOfMemory() {
        RuntimeException e = new ai.djl.engine.EngineException("could not create a primitive");
        RuntimeException out = new OutOfMemory(64, 1, "3x224x224").onError(null,
                new Callback.BatchEnd(0, 0, 10, 64, 0, 0, 0, 0, 0, 0, 0, 0), e);
        assertTrue(out instanceof TrainingStopped && out.getMessage().contains("--batch-size 32"), out.getMessage());
    }

    @Test
    void javaHeapExhaustionSaysHowToGrowIt() {
        RuntimeException wrapped = new IllegalStateException(new OutOfMemoryError("Java heap space"));
        RuntimeException out = new OutOfMemory(64, 1, "3x224x224").onError(null,
                new Callback.BatchEnd(1, 4, 10, 64, 0, 0, 0, 0, 0, 0, 0, 0), wrapped);
        assertTrue(out.getMessage().contains("Java heap") && out.getMessage().contains("-Xmx"), out.getMessage());
    }

    /** A real allocation failure: ResNet-18 at 224x224, batch 64, in 4 GB of address space. */
    @Test
    @Tag("integration")
    void realAllocationFailureUnderAMemoryLimit(@TempDir Path tmp) throws Exception {
        Path data = Cli.imageFolder(tmp.resolve("big"), 2, 40, 32, 3);
        Path log = tmp.resolve("oom.log");
        int code = Cli.runLimited(4_000_000L, log, "train", "--data", data.toString(), "--model", "resnet18",
                "--image-size", "224", "--batch-size", "64", "--epochs", "1", "--workers", "1",
                "--runs-dir", tmp.resolve("runs").toString(), "--run", "oom");
        String out = Cli.read(log);
        assertEquals(1, code, out);
        assertTrue(out.contains("error: out of memory") && out.contains("batch size 64"), out);
        assertTrue(out.contains("--batch-size 32"), out);
    }
}
