package org.convkit.model.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import org.convkit.core.EngineSettings;
import org.convkit.core.EngineSettings.Layout;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The native path turns libtorch's oneDNN off for the pass and what follows it, as libtorch itself
 * reports, and libtorch's own convolution kernels then compute float64's answer in float32.
 */
class OneDnnSwitchTest {
    @AfterEach
    void back() {
        OneDnnSwitch.set(true);
    }

    @Test
    void aNativePassTurnsOneDnnOffUntilAnotherPassTurnsItOn() {
        try (EngineScope ignored = EngineScope.enter(EngineSettings.PLAIN.withLayout(Layout.NATIVE))) {
            assertFalse(OneDnnSwitch.enabled(), "libtorch says oneDNN is off in a native pass");
        }
        assertFalse(OneDnnSwitch.enabled(), "still off for the backward pass that runs after the forward scope");
        try (EngineScope ignored = EngineScope.enter(EngineSettings.PLAIN)) {
            assertTrue(OneDnnSwitch.enabled(), "an nchw pass runs oneDNN again");
        }
    }

    @Test
    void libtorchsOwnKernelsComputeFloat64sAnswerForwardAndBackward() {
        try (NDManager m = NDManager.newBaseManager()) {
            ai.djl.engine.Engine.getInstance().setRandomSeed(7);
            // a 3x3 convolution to 8 channels: its input gradient was wrong in oneDNN on one CPU
            NDArray x = m.randomNormal(new Shape(2, 4, 8, 8));
            NDArray w = m.randomNormal(new Shape(8, 4, 3, 3));
            NDArray g = m.randomNormal(new Shape(2, 8, 8, 8));
            NDArray[] exact = forwardAndInputGradient(x.toType(DataType.FLOAT64, false), w.toType(DataType.FLOAT64, false),
                    g.toType(DataType.FLOAT64, false));
            OneDnnSwitch.set(false);
            NDArray[] native32 = forwardAndInputGradient(x, w, g);
            // forward, and the input gradient: the kernel oneDNN got wrong there, so on that CPU this
            // fails if the switch does not reach libtorch
            for (int i = 0; i < 2; i++) {
                NDArray y = native32[i].toType(DataType.FLOAT64, false);
                assertEquals(exact[i].getShape(), y.getShape());
                double rel = y.sub(exact[i]).abs().max().getDouble() / exact[i].abs().max().getDouble();
                assertTrue(rel < 1e-5, (i == 0 ? "forward" : "input gradient") + ", native float32 vs float64: " + rel);
            }
        }
    }

    private static NDArray[] forwardAndInputGradient(NDArray x, NDArray w, NDArray g) {
        x.setRequiresGradient(true);
        w.setRequiresGradient(true); // as in training: the weight's gradient is asked for in the same pass
        NDArray y;
        try (ai.djl.training.GradientCollector gc = ai.djl.engine.Engine.getInstance().newGradientCollector()) {
            y = Conv2d.conv2d(x, w, null, new Shape(1, 1), new Shape(1, 1), new Shape(1, 1), 1).singletonOrThrow();
            gc.backward(y.mul(g).sum());
        }
        return new NDArray[] {y, x.getGradient()};
    }
}
