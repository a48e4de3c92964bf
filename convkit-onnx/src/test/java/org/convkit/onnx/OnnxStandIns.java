package org.convkit.onnx;

import ai.djl.ndarray.types.Shape;
import java.util.List;
import org.convkit.core.EngineSettings;
import org.convkit.model.engine.BlockProbe;
import org.convkit.model.engine.Probe;
import org.convkit.model.engine.StandIns;
import org.convkit.model.engine.StandIns.Failure;
import org.convkit.model.layers.Layers;

/**
 * ONNX Runtime levers that fail the way a broken CPU kernel library could, for testing how the
 * check and convkit handle it: each is the real lever (same name, real export, real ONNX Runtime
 * session) on one small convolution, whose ONNX Runtime result is then made 1e-2 off, or whose
 * process dies of a real SIGSEGV right after ONNX Runtime ran. The float64 reference runs normally.
 */
public final class OnnxStandIns {
    private OnnxStandIns() {}

    /** One small convolution, exported and run in ONNX Runtime, then spoilt as {@code failure} says. */
    static Probe spoilt(Failure failure) {
        Probe real = OnnxRuntimeLever.probe(new BlockProbe("stand-in conv 3x3 8->8 @8x8, batch 2", "stand-in",
                () -> Layers.conv(8, 3, 1, 1, true), new Shape(2, 8, 8, 8), false, BlockProbe.Mode.EVAL), true);
        return StandIns.failing(real, failure, s -> true, s -> s);
    }

    /** ONNX Runtime, quick: the one small probe, correct. */
    public static final class QuickOnnxRuntime extends OnnxRuntimeLever {
        @Override
        public List<Probe> probes(EngineSettings s) {
            return List.of(spoilt(Failure.NONE));
        }
    }

    /** ONNX Runtime 1e-2 off, silently. */
    public static final class WrongOnnxRuntime extends OnnxRuntimeLever {
        @Override
        public List<Probe> probes(EngineSettings s) {
            return List.of(spoilt(Failure.WRONG));
        }
    }

    /** ONNX Runtime's process dying of a real SIGSEGV. */
    public static final class SegvOnnxRuntime extends OnnxRuntimeLever {
        @Override
        public List<Probe> probes(EngineSettings s) {
            return List.of(spoilt(Failure.SEGV));
        }
    }
}
