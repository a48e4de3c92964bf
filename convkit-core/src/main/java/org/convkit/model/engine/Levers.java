package org.convkit.model.engine;

import java.util.List;
import java.util.Map;
import org.convkit.core.EngineSettings;
import org.convkit.core.EngineSettings.Layout;
import org.convkit.core.EngineSettings.Precision;

/** The engine paths convkit may take, each with what it must pass. */
public final class Levers {
    private Levers() {}

    /**
     * What the self-check checks, layouts fastest first: convkit takes the first layout that passed
     * and the options that passed on it (bfloat16 only when asked for).
     */
    public static final List<Class<? extends Lever>> DEFAULT = List.of(ChannelsLast.class, Nchw.class,
            Native.class, BatchNormFold.class, Bf16.class);

    /** What a path used in training and evaluation is checked for. */
    public static final String TRAINING_AND_EVALUATION = "training and evaluation (forward and backward)";
    /** What a path used in evaluation and prediction only is checked for. */
    public static final String EVALUATION = "evaluation and prediction (forward only)";

    /**
     * Whether training runs in the layout of {@code settings} ({@link EngineSettings#forTraining}):
     * a path there is checked forward and backward, elsewhere forward only. A backward probe failing
     * on a layout training never uses must not turn it off for evaluation.
     */
    public static boolean trainedIn(EngineSettings settings) {
        return settings.forTraining().layout() == settings.layout();
    }

    /**
     * A memory layout, checked for what convkit runs in it ({@link Lever#checkedFor}): training runs
     * NCHW whatever the check found, channels-last serves evaluation and prediction.
     */
    public static class LayoutLever implements Lever {
        private final Layout layout;

        public LayoutLever(Layout layout) {
            this.layout = layout;
        }

        @Override
        public String name() {
            return layout.token();
        }

        @Override
        public boolean isLayout() {
            return true;
        }

        @Override
        public EngineSettings enable(EngineSettings base) {
            return base.withLayout(layout);
        }

        @Override
        public boolean isOn(EngineSettings s) {
            return s.layout() == layout;
        }

        @Override
        public List<Probe> probes(EngineSettings settings) {
            return Probes.layout(trainedIn(settings));
        }
    }

    // The check's child process makes levers by class name (a public no-argument constructor), hence
    // a class per layout.

    /** NCHW, the plain layout: what training runs and where every other path falls back to. */
    public static final class Nchw extends LayoutLever {
        public Nchw() {
            super(Layout.NCHW);
        }
    }

    /**
     * NCHW with libtorch's own convolution kernels, oneDNN off: slower than oneDNN where oneDNN is
     * right, the path for training and evaluation where it is not (docs/engine.md, "Known failures").
     */
    public static final class Native extends LayoutLever {
        public Native() {
            super(Layout.NATIVE);
        }
    }

    /** Channels-last conv weights and activations (libtorch's NHWC oneDNN kernels): evaluation only. */
    public static final class ChannelsLast extends LayoutLever {
        public ChannelsLast() {
            super(Layout.CHANNELS_LAST);
        }
    }

    /** BatchNorm folded into the convolution before it, in evaluation passes. */
    public static final class BatchNormFold implements Lever {
        @Override
        public String name() {
            return "bn-fold";
        }

        @Override
        public EngineSettings enable(EngineSettings base) {
            return base.withFoldBatchNorm(true);
        }

        @Override
        public boolean isOn(EngineSettings s) {
            return s.foldBatchNorm();
        }

        @Override
        public String checkedFor(EngineSettings settings) {
            return EVALUATION;
        }

        @Override
        public List<Probe> probes(EngineSettings settings) {
            return List.copyOf(Probes.FOLDED);
        }
    }

    /**
     * bfloat16 convolutions ({@code --precision bf16}): oneDNN multiplies in bfloat16 with float32
     * accumulation when its process starts with {@link EngineCheck#FPMATH_ENV}{@code =BF16}, so the
     * check runs it in a child process of its own with that set, on the layout's convolutions
     * (forward and backward on the layout training runs in; {@link Probes#bf16}) with bfloat16's
     * tolerances ({@link BlockProbe#FORWARD_BF16}). Used only when asked for; where it did not pass, {@code --precision
     * bf16} runs fp32 and says so.
     */
    public static final class Bf16 implements Lever {
        /** The lever's name: "bf16@nchw" is bfloat16 on NCHW. */
        public static final String NAME = Precision.BF16.token();

        @Override
        public String name() {
            return NAME;
        }

        @Override
        public boolean byDefault() {
            return false; // it changes results (within its tolerance): only when asked for
        }

        @Override
        public EngineSettings enable(EngineSettings base) {
            return base.withPrecision(Precision.BF16);
        }

        @Override
        public boolean isOn(EngineSettings s) {
            return s.precision() == Precision.BF16;
        }

        @Override
        public List<Probe> probes(EngineSettings settings) {
            return Probes.bf16(trainedIn(settings));
        }

        @Override
        public Map<String, String> environment() {
            return Map.of(EngineCheck.FPMATH_ENV, "BF16");
        }

        @Override
        public String unavailable() {
            return EngineCheck.cpuHasBf16() ? null
                    : EngineCheck.NO_BF16 + ": --precision bf16 runs fp32";
        }

        /**
         * bfloat16's rounding of a convolution's inputs and weights shows as a relative error of
         * 1e-3 or more; below float32's tolerance oneDNN computed float32 under the bf16 mode (seen
         * on an AMD Zen 4 with avx512_bf16: oneDNN 3.7 took its float32 AVX-512 kernels, and the
         * results equalled float32's to the bit), so the process and the tolerance would buy nothing.
         */
        @Override
        public String noEffect(List<CheckReport.ProbeResult> probes) {
            double max = probes.stream().mapToDouble(CheckReport.ProbeResult::error).max().orElse(Double.NaN);
            return max < BlockProbe.FORWARD_FP32
                    ? String.format(java.util.Locale.ROOT, "oneDNN computed float32 under %s=BF16 on this CPU (max relative"
                            + " error %.1e, float32's)", EngineCheck.FPMATH_ENV, max)
                    : null;
        }
    }
}
