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

    /** NCHW, the plain layout: where every other path falls back to. */
    public static final class Nchw implements Lever {
        @Override
        public String name() {
            return Layout.NCHW.token();
        }

        @Override
        public boolean isLayout() {
            return true;
        }

        @Override
        public EngineSettings enable(EngineSettings base) {
            return base.withLayout(Layout.NCHW);
        }

        @Override
        public boolean isOn(EngineSettings s) {
            return s.layout() == Layout.NCHW;
        }

        @Override
        public List<Probe> probes() {
            return Probes.layout();
        }
    }

    /** Channels-last conv weights and activations (libtorch's NHWC oneDNN kernels). */
    public static final class ChannelsLast implements Lever {
        @Override
        public String name() {
            return Layout.CHANNELS_LAST.token();
        }

        @Override
        public boolean isLayout() {
            return true;
        }

        @Override
        public EngineSettings enable(EngineSettings base) {
            return base.withLayout(Layout.CHANNELS_LAST);
        }

        @Override
        public boolean isOn(EngineSettings s) {
            return s.layout() == Layout.CHANNELS_LAST;
        }

        @Override
        public List<Probe> probes() {
            return Probes.layout();
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
        public List<Probe> probes() {
            return List.copyOf(Probes.FOLDED);
        }
    }
}
