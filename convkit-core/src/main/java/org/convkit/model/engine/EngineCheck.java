package org.convkit.model.engine;

import org.convkit.core.ConvkitException;
import org.convkit.core.EngineSettings;

/**
 * The engine settings this process runs networks with.
 *
 * <p>{@link #settings()} is the one call: the settings chosen once per process. A user may force
 * items with {@code CONVKIT_ENGINE} or {@code -Dconvkit.engine} (see {@link EngineSettings.Spec});
 * a caller that manages this itself (a Spark executor given the driver's choice, a test fork
 * given its parent's) hands its settings to {@link #use} instead.
 */
public final class EngineCheck {
    /** The system property that forces settings (wins over the environment variable). */
    public static final String PROPERTY = "convkit.engine";
    /** The environment variable that forces settings. */
    public static final String ENV = "CONVKIT_ENGINE";

    /** Until the self-check lands: NCHW, BatchNorm folded, as convkit ran before. */
    private static final EngineSettings UNCHECKED = EngineSettings.PLAIN.withFoldBatchNorm(true);

    private static EngineSettings chosen;

    private EngineCheck() {}

    /** The settings networks of this process run with unless given others. */
    public static synchronized EngineSettings settings() {
        if (chosen == null) {
            EngineSettings s = forced().applyTo(UNCHECKED);
            if (s.precision() != EngineSettings.Precision.FP32) {
                throw new ConvkitException(where() + ": " + s.precision().token()
                        + " is not available in this version of convkit (fp32 only)");
            }
            chosen = s;
        }
        return chosen;
    }

    /** Runs this process with {@code settings}, without a self-check (the caller vouches for them). */
    public static synchronized void use(EngineSettings settings) {
        chosen = java.util.Objects.requireNonNull(settings, "settings");
    }

    /** What the user forces: {@code -Dconvkit.engine}, else {@code CONVKIT_ENGINE}, else nothing. */
    public static EngineSettings.Spec forced() {
        String p = System.getProperty(PROPERTY);
        if (p != null) {
            return EngineSettings.Spec.parse(p, "-D" + PROPERTY);
        }
        return EngineSettings.Spec.parse(System.getenv(ENV), ENV);
    }

    private static String where() {
        return System.getProperty(PROPERTY) != null ? "-D" + PROPERTY : ENV;
    }
}
