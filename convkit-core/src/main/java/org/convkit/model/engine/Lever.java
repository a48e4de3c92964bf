package org.convkit.model.engine;

import java.util.List;
import java.util.Map;
import org.convkit.core.EngineSettings;

/**
 * A way of running networks that must prove itself on the machine before convkit takes it: a
 * memory layout (NCHW, channels-last) or an option on top of one (BatchNorm folding, bfloat16).
 * The self-check runs each layout's probes, then each option's probes on every layout that passed;
 * convkit then uses the first layout that passed (in the order the levers are listed) with the
 * options that are on by default and passed on it.
 *
 * <p>A new speed path is a new Lever with the probes that exercise it, added to {@link
 * Levers#DEFAULT}. Implementations need a public no-argument constructor: the check's child
 * process creates them by class name.
 */
public interface Lever {
    /** Short and stable: names the path in messages, the cache and {@code CONVKIT_ENGINE} ("channels-last"). */
    String name();

    /**
     * True for a layout (an alternative to the other layouts), false (the default) for an option on
     * top of one; the layouts say so through {@link Levers.LayoutLever}.
     */
    default boolean isLayout() {
        return false;
    }

    /**
     * True for an engine of its own beside libtorch's paths (ONNX Runtime, whose lever convkit-onnx
     * provides): checked as a path of its own, with {@link EngineSettings#PLAIN} settings, in a child
     * process of its own and against the same float64 reference; never one of the paths convkit
     * chooses among for its libtorch networks ({@link EngineCheck#choose} and {@link
     * EngineCheck#paths} pass it by). The module that provides it decides what its result means.
     */
    default boolean standalone() {
        return false;
    }

    /**
     * What this lever's result depends on beyond the machine, libtorch and the check itself (ONNX
     * Runtime's version and environment): added to the cache key, so that a change checks again.
     */
    default Map<String, Object> fingerprint() {
        return Map.of();
    }

    /** {@code base} with this lever on. */
    EngineSettings enable(EngineSettings base);

    /** Whether {@code settings} use this lever. */
    boolean isOn(EngineSettings settings);

    /**
     * Whether convkit turns this option on by itself where it passed (folding: yes; a precision
     * that changes results within its tolerance: only when asked for).
     */
    default boolean byDefault() {
        return true;
    }

    /**
     * What convkit uses this lever for on the path {@code settings} (its layout, this lever on),
     * which its probes check: forward and backward passes where training runs in the layout
     * ({@link EngineSettings#forTraining}), forward passes only elsewhere. Said by {@code convkit
     * doctor} next to the result.
     */
    default String checkedFor(EngineSettings settings) {
        return Levers.trainedIn(settings) ? Levers.TRAINING_AND_EVALUATION : Levers.EVALUATION;
    }

    /** What must pass for this lever to be used on the path {@code settings}: probes of what {@link #checkedFor} says. */
    List<Probe> probes(EngineSettings settings);

    /**
     * Environment variables the process computing this lever needs (read by oneDNN when the process
     * starts, such as bfloat16's {@link EngineCheck#FPMATH_ENV}): the check runs the lever in a child
     * process of its own with them set.
     */
    default Map<String, String> environment() {
        return Map.of();
    }

    /**
     * Why this lever, although every probe passed, made no difference here ({@code probes}: what
     * they measured), or null. A path that had no effect is not used ({@link
     * CheckReport.Status#NO_EFFECT}): bfloat16 that oneDNN computed in float32 would only cost a
     * process.
     */
    default String noEffect(List<CheckReport.ProbeResult> probes) {
        return null;
    }

    /** Why this lever cannot run on this machine at all (the check then does not run it), or null. */
    default String unavailable() {
        return null;
    }
}
