package org.convkit.model.engine;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What the self-check found on this machine: one result per path, with each probe's error. Cached
 * as JSON under {@code $CONVKIT_HOME/engine-check/KEY.json}; {@code convkit doctor} prints it.
 *
 * @param format the file format's version
 * @param key the fingerprint's hash: the file's name
 * @param fingerprint what the key was made of (machine, engine versions, threads, environment)
 * @param checkedAt when (ISO-8601, UTC)
 * @param seconds how long the check took
 * @param paths layouts first, then each option on each layout that passed
 */
public record CheckReport(int format, String key, Map<String, Object> fingerprint, String checkedAt, double seconds,
        List<PathResult> paths) {
    public static final int FORMAT = 1;

    /** How a path came out. */
    public enum Status {
        /** Every probe within its tolerance. */
        PASSED,
        /** A probe was off by more than its tolerance, or the engine refused it (an exception). */
        FAILED,
        /** The check's process died in it (a native crash, an abort, an exit). */
        CRASHED,
        /** The check's process gave no answer in time and was killed. */
        HUNG,
        /** Not run (the check's process could not start, or the machine cannot have the lever). */
        NOT_RUN,
        /**
         * Every probe within its tolerance, but the lever changed nothing (bfloat16 asked for,
         * float32 computed): not used, since it would cost a process and give nothing.
         */
        NO_EFFECT
    }

    /**
     * @param path "channels-last", or an option on a layout: "bn-fold@channels-last"
     * @param lever the lever's name
     * @param layout the layout path an option ran on; null for a layout
     * @param settings the settings the probes ran with ({@link org.convkit.core.EngineSettings#spec()})
     * @param checkedFor what convkit uses the path for, which its probes checked ({@link Lever#checkedFor})
     * @param message what went wrong, for a path that did not pass (null when it passed)
     * @param probes each probe's quantities, in the order run (those before a crash, for a crash)
     */
    public record PathResult(String path, String lever, String layout, String settings, String checkedFor, Status status,
            String message, double seconds, List<ProbeResult> probes) {
        @JsonIgnore
        public boolean passed() {
            return status == Status.PASSED;
        }

        /** The largest relative error over every probe (NaN when none ran). */
        @JsonIgnore
        public double maxRelativeError() {
            return probes.stream().mapToDouble(ProbeResult::error).max().orElse(Double.NaN);
        }

        /** The probe quantity closest to (or furthest over) its tolerance. */
        @JsonIgnore
        public ProbeResult worst() {
            return probes.stream().max(Comparator.comparingDouble(p -> p.error() / p.tolerance())).orElse(null);
        }

        /** One phrase: "passed (max relative error 3.1e-07)", "crashed: SIGFPE in ...". */
        @JsonIgnore
        public String summary() {
            return switch (status) {
                case PASSED -> String.format(Locale.ROOT, "passed (max relative error %.1e)", maxRelativeError());
                case FAILED -> "failed: " + message;
                case CRASHED -> "crashed: " + message;
                case HUNG -> "hung: " + message;
                case NOT_RUN -> "not run: " + message;
                case NO_EFFECT -> "no effect: " + message;
            };
        }
    }

    /**
     * @param probe the probe's name
     * @param usedBy which networks run it
     * @param quantity "forward", "grad input", "grad weight" ...
     * @param error max |path - reference| / max |reference| (infinite when not finite, or on error)
     * @param tolerance the largest error allowed
     * @param problem the exception the engine threw, else null
     */
    public record ProbeResult(String probe, String usedBy, String quantity, double error, double tolerance,
            String problem) {
        @JsonIgnore
        public boolean passed() {
            return problem == null && error <= tolerance;
        }

        /** "conv 1x1 256->64 @56x56, batch 2 (resnet50 bottleneck 1x1 reduce) grad input: 3.7e-02 > 1.0e-04". */
        @Override
        public String toString() {
            String what = probe + " (" + usedBy + ") " + quantity;
            return problem != null ? what + ": " + problem
                    : String.format(Locale.ROOT, "%s: %.1e %s %.1e", what, error, error <= tolerance ? "<=" : ">",
                            tolerance);
        }
    }

    /** "channels-last passed, nchw passed, bn-fold@channels-last passed ...". */
    public String summary() {
        List<String> parts = new java.util.ArrayList<>();
        for (PathResult p : paths) {
            parts.add(p.path() + " " + p.status().name().toLowerCase(Locale.ROOT).replace('_', ' '));
        }
        return String.join(", ", parts);
    }

    /** The result of {@code path}, or null when the check did not get to it. */
    public PathResult path(String path) {
        for (PathResult p : paths) {
            if (p.path().equals(path)) {
                return p;
            }
        }
        return null;
    }
}
