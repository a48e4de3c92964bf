package org.convkit.model.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.convkit.core.EngineSettings;
import org.convkit.model.layers.Layers;

/**
 * Engine paths that fail the way real ones did or could, for testing the self-check's handling:
 * each is a real lever (same name, same settings as the one it stands in for) whose probe is a small
 * real convolution (computed in NCHW, so that the stand-ins behave the same on every host) that, on
 * that path only, crashes the process natively (SIGSEGV, abort), exits,
 * hangs, throws, or computes a wrong result (off by 1e-2, like libtorch's channels-last
 * convolutions on the AMD VM). The float64 reference always runs normally.
 */
public final class StandIns {
    private StandIns() {}

    /** libc, through JNA (a dependency of convkit-core): real native signals. */
    public interface LibC extends com.sun.jna.Library {
        int raise(int signal);

        void abort();
    }

    /** How a stand-in fails. */
    public enum Failure { SEGV, ABORT, EXIT, HANG, THROW, WRONG, NONE }

    /** One small real convolution (forward and backward) that misbehaves under {@code when}. */
    static Probe probe(Failure failure, Predicate<EngineSettings> when) {
        BlockProbe real = new BlockProbe("stand-in conv 3x3 16->16 @8x8, batch 2", "stand-in",
                () -> Layers.conv(16, 3, 1, 1, true), new Shape(2, 16, 8, 8), false, BlockProbe.Mode.TRAIN);
        // the real convolution in plain NCHW: what is tested is the check's handling of a failure,
        // on any host (even one where libtorch's channels-last itself is wrong); 16 channels, as
        // NCHW input gradients to fewer than 16 were wrong on one (docs/engine.md, "Known failures")
        return failing(real, failure, when, s -> EngineSettings.PLAIN.withPrecision(s.precision()));
    }

    /**
     * {@code real}, run under {@code runAs(settings)}, whose path result (never its float64
     * reference) fails as told under the settings {@code when} accepts.
     */
    public static Probe failing(Probe real, Failure failure, Predicate<EngineSettings> when,
            java.util.function.UnaryOperator<EngineSettings> runAs) {
        return new Probe() {
            @Override
            public String name() {
                return real.name();
            }

            @Override
            public String usedBy() {
                return real.usedBy();
            }

            @Override
            public double tolerance(String quantity, EngineSettings s) {
                return real.tolerance(quantity, s);
            }

            @Override
            public Map<String, NDArray> run(NDManager m, EngineSettings s, DataType dtype) {
                Map<String, NDArray> out = real.run(m, runAs.apply(s), dtype);
                if (dtype == DataType.FLOAT64 || !when.test(s)) {
                    return out;
                }
                switch (failure) {
                    case SEGV -> com.sun.jna.Native.load("c", LibC.class).raise(11);
                    case ABORT -> com.sun.jna.Native.load("c", LibC.class).abort();
                    case EXIT -> java.lang.Runtime.getRuntime().halt(3);
                    case HANG -> {
                        try {
                            Thread.sleep(Long.MAX_VALUE);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                    case THROW -> throw new ai.djl.engine.EngineException("could not create a primitive (stand-in)");
                    case WRONG -> {
                        // 100 times a float32 path's tolerance; a bf16 path's (3e-2) needs more
                        float by = s.precision() == EngineSettings.Precision.BF16 ? 1.1f : 1.01f;
                        Map<String, NDArray> off = new LinkedHashMap<>();
                        out.forEach((k, v) -> off.put(k, v.mul(by)));
                        return off;
                    }
                    case NONE -> { }
                }
                return out;
            }
        };
    }

    /** A layout lever standing in for {@code base}'s layout, its probe failing as told. */
    abstract static class StandInLayout implements Lever {
        private final Lever base;
        private final Failure failure;
        private final String name;

        StandInLayout(Lever base, Failure failure) {
            this(base, failure, base.name());
        }

        StandInLayout(Lever base, Failure failure, String name) {
            this.base = base;
            this.failure = failure;
            this.name = name;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public boolean isLayout() {
            return true;
        }

        @Override
        public EngineSettings enable(EngineSettings s) {
            return base.enable(s);
        }

        @Override
        public boolean isOn(EngineSettings s) {
            return base.isOn(s);
        }

        @Override
        public String checkedFor(EngineSettings s) {
            return base.checkedFor(s);
        }

        @Override
        public List<Probe> probes(EngineSettings s) {
            return List.of(probe(failure, base::isOn));
        }
    }

    /** NCHW that works (one small probe: keeps the tests quick). */
    public static final class QuickNchw extends StandInLayout {
        public QuickNchw() {
            super(new Levers.Nchw(), Failure.NONE);
        }
    }

    /** NCHW computing wrong results: no correct path at all. */
    public static final class WrongNchw extends StandInLayout {
        public WrongNchw() {
            super(new Levers.Nchw(), Failure.WRONG);
        }
    }

    public static final class QuickChannelsLast extends StandInLayout {
        public QuickChannelsLast() {
            super(new Levers.ChannelsLast(), Failure.NONE);
        }
    }

    /** Channels-last dying of a real SIGSEGV in native code (the JVM writes a crash log). */
    public static final class SegvChannelsLast extends StandInLayout {
        public SegvChannelsLast() {
            super(new Levers.ChannelsLast(), Failure.SEGV);
        }
    }




    /** Channels-last off by 1e-2 of the largest value, silently. */
    public static final class WrongChannelsLast extends StandInLayout {
        public WrongChannelsLast() {
            super(new Levers.ChannelsLast(), Failure.WRONG);
        }
    }

    /** The ways above under names of their own, so one check can run them all (each in turn kills its process). */
    public static final class SegvNamed extends StandInLayout {
        public SegvNamed() {
            super(new Levers.ChannelsLast(), Failure.SEGV, "channels-last/segv");
        }
    }

    public static final class AbortNamed extends StandInLayout {
        public AbortNamed() {
            super(new Levers.ChannelsLast(), Failure.ABORT, "channels-last/abort");
        }
    }

    public static final class ExitNamed extends StandInLayout {
        public ExitNamed() {
            super(new Levers.ChannelsLast(), Failure.EXIT, "channels-last/exit");
        }
    }

    public static final class HangNamed extends StandInLayout {
        public HangNamed() {
            super(new Levers.ChannelsLast(), Failure.HANG, "channels-last/hang");
        }
    }

    public static final class WrongNamed extends StandInLayout {
        public WrongNamed() {
            super(new Levers.ChannelsLast(), Failure.WRONG, "channels-last/wrong");
        }
    }

    /** BatchNorm folding that the engine refuses (an exception) on channels-last only. */
    public static final class ThrowingFold implements Lever {
        private final Lever base = new Levers.BatchNormFold();

        @Override
        public String name() {
            return base.name();
        }

        @Override
        public boolean isLayout() {
            return false;
        }

        @Override
        public EngineSettings enable(EngineSettings s) {
            return base.enable(s);
        }

        @Override
        public boolean isOn(EngineSettings s) {
            return base.isOn(s);
        }

        @Override
        public List<Probe> probes(EngineSettings s) {
            return List.of(probe(Failure.THROW, EngineSettings::channelsLast));
        }
    }

    /**
     * bfloat16 standing in for a broken one: the real lever (its process started with {@code
     * ONEDNN_DEFAULT_FPMATH_MODE=BF16}, its bf16 tolerances), its one probe failing as told where
     * {@code when} holds.
     */
    abstract static class StandInBf16 implements Lever {
        private final Lever base = new Levers.Bf16();
        private final Failure failure;
        private final Predicate<EngineSettings> when;

        StandInBf16(Failure failure, Predicate<EngineSettings> when) {
            this.failure = failure;
            this.when = when;
        }

        @Override
        public String name() {
            return base.name();
        }

        @Override
        public boolean isLayout() {
            return false;
        }

        @Override
        public boolean byDefault() {
            return base.byDefault();
        }

        @Override
        public EngineSettings enable(EngineSettings s) {
            return base.enable(s);
        }

        @Override
        public boolean isOn(EngineSettings s) {
            return base.isOn(s);
        }

        @Override
        public Map<String, String> environment() {
            return base.environment();
        }

        @Override
        public String unavailable() {
            return base.unavailable();
        }

        @Override
        public String noEffect(List<CheckReport.ProbeResult> probes) {
            return base.noEffect(probes);
        }

        @Override
        public List<Probe> probes(EngineSettings s) {
            return List.of(probe(failure, when.and(base::isOn)));
        }
    }

    /** bfloat16 that computes wrong results (1e-1 off, beyond its 3e-2) on channels-last only; right on NCHW. */
    public static final class WrongOnChannelsLastBf16 extends StandInBf16 {
        public WrongOnChannelsLastBf16() {
            super(Failure.WRONG, EngineSettings::channelsLast);
        }
    }

    /** bfloat16 whose process dies of a real SIGSEGV on every layout. */
    public static final class SegvBf16 extends StandInBf16 {
        public SegvBf16() {
            super(Failure.SEGV, s -> true);
        }
    }
}
