package org.convkit.model.engine;

import java.util.List;
import org.convkit.core.EngineSettings;
import org.convkit.core.EngineSettings.Layout;

/** The engine paths convkit may take, each with what it must pass. */
public final class Levers {
    private Levers() {}

    /**
     * What the self-check checks, layouts fastest first: convkit takes the first layout that passed
     * and the options that passed on it.
     */
    public static final List<Class<? extends Lever>> DEFAULT = List.of(ChannelsLast.class, Nchw.class, BatchNormFold.class);

    /**
     * A memory layout, checked for what convkit runs in it: forward and backward passes where
     * training uses the layout, forward passes only where it serves evaluation and prediction
     * ({@link EngineSettings#forTraining} runs training NCHW whatever the check found). A backward
     * probe failing on a layout training never uses must not turn it off for evaluation.
     */
    public static class LayoutLever implements Lever {
        private final Layout layout;
        private final boolean training;

        /**
         * @param training true when training runs in this layout: its probes then include backward
         *     passes and training-mode BatchNorm
         */
        public LayoutLever(Layout layout, boolean training) {
            this.layout = layout;
            this.training = training;
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
        public String checkedFor() {
            return training ? TRAINING_AND_EVALUATION : EVALUATION;
        }

        @Override
        public List<Probe> probes() {
            return Probes.layout(training);
        }
    }

    /** What a lever used in training and evaluation is checked for. */
    public static final String TRAINING_AND_EVALUATION = "training and evaluation (forward and backward)";
    /** What a lever used in evaluation and prediction only is checked for. */
    public static final String EVALUATION = "evaluation and prediction (forward only)";

    // The check's child process makes levers by class name (a public no-argument constructor), hence
    // a class per layout.

    /** NCHW, the plain layout: what training runs and where every other path falls back to. */
    public static final class Nchw extends LayoutLever {
        public Nchw() {
            super(Layout.NCHW, true);
        }
    }

    /** Channels-last conv weights and activations (libtorch's NHWC oneDNN kernels): evaluation only. */
    public static final class ChannelsLast extends LayoutLever {
        public ChannelsLast() {
            super(Layout.CHANNELS_LAST, false);
        }
    }

    /** BatchNorm folded into the convolution before it, in evaluation passes. */
    public static final class BatchNormFold implements Lever {
        @Override
        public String name() {
            return "bn-fold";
        }

        @Override
        public boolean isLayout() {
            return false;
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
        public String checkedFor() {
            return EVALUATION;
        }

        @Override
        public List<Probe> probes() {
            return List.copyOf(Probes.FOLDED);
        }
    }
}
