package org.convkit.model.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.io.PrintStream;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.convkit.core.EngineSettings;
import org.convkit.core.Json;
import org.convkit.core.Runtime;

/**
 * The self-check's child process: runs the paths it is given and streams each result as a line
 * {@code CHECK {json}} on stdout, so that the parent learns what was done before a native crash or
 * a hang ends this process. Started by {@link CheckRunner}; not for people.
 *
 * <p>Arguments: triples {@code PATH LEVER_CLASS SETTINGS_SPEC}.
 */
public final class CheckChild {
    static final String PREFIX = "CHECK ";
    private static final PrintStream OUT = System.out;
    /** Each probe's float64 reference, computed once per process and shared by the paths. */
    private static final Map<String, Map<String, double[]>> REFERENCE = new HashMap<>();
    /** Probes whose reference was computed again after a failed comparison (at most once each). */
    private static final java.util.Set<String> CONFIRMED = new java.util.HashSet<>();
    /**
     * Float64 results of one computation repeated: the same kernels on the same numbers differ at
     * most by summation order (1e-15 or so), far below any float32 tolerance (1e-7 and up).
     */
    static final double SAME = 1e-10;

    private CheckChild() {}

    public static void main(String[] args) throws Exception {
        EngineCheck.use(EngineSettings.PLAIN); // this process never asks for a check of its own
        Runtime.init();
        if (args.length == 1 && args[0].equals(OneDnn.ARG)) {
            OneDnn.convolve(); // with ONEDNN_VERBOSE set by the parent: oneDNN says what it is
            OUT.flush();
            System.exit(0);
        }
        emit(Map.of("event", "ready"));
        for (int i = 0; i + 2 < args.length; i += 3) {
            String path = args[i];
            Lever lever = (Lever) Class.forName(args[i + 1]).getDeclaredConstructor().newInstance();
            EngineSettings settings = EngineSettings.Spec.parse(args[i + 2], "settings").applyTo(EngineSettings.PLAIN);
            long start = System.nanoTime();
            emit(Map.of("event", "path", "path", path));
            for (Probe probe : lever.probes(settings)) {
                emit(Map.of("event", "probe", "path", path, "probe", probe.name()));
                for (CheckReport.ProbeResult r : run(probe, settings)) {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("event", "result");
                    m.put("path", path);
                    m.put("result", r);
                    emit(m);
                }
            }
            emit(Map.of("event", "done", "path", path, "seconds", (System.nanoTime() - start) / 1e9));
        }
        OUT.flush();
        System.exit(0); // no shutdown work left that could hang
    }

    /**
     * The probe under {@code settings} in float32 (which oneDNN computes in bfloat16 in a process
     * started for a bf16 path) against its float64 reference, per quantity.
     *
     * <p>A failure is believed only once the reference has been confirmed. libtorch's float64
     * convolution was seen to return wrong values (1e-2 relative, a few of them) when first run in a
     * check process on an AMD Zen 4 with glibc's malloc, and the right ones on every later call:
     * the correct float32 path then looked failed (docs/engine.md, "Known failures"). So when a
     * comparison fails, the reference is computed twice more: if those two agree with each other
     * and not with the first, the first was wrong and is replaced; if they do not agree with each
     * other, no verdict on the path can be trusted and the probe fails saying so.
     */
    static java.util.List<CheckReport.ProbeResult> run(Probe probe, EngineSettings settings) {
        java.util.List<CheckReport.ProbeResult> out = new java.util.ArrayList<>();
        Map<String, double[]> ref;
        try {
            ref = reference(probe);
        } catch (RuntimeException e) {
            out.add(new CheckReport.ProbeResult(probe.name(), probe.usedBy(), "reference", Double.POSITIVE_INFINITY, 0,
                    "the float64 reference failed: " + e));
            return out;
        }
        Map<String, double[]> got = new LinkedHashMap<>();
        try (NDManager m = NDManager.newBaseManager()) {
            for (Map.Entry<String, NDArray> e : probe.run(m, settings, DataType.FLOAT32).entrySet()) {
                got.put(e.getKey(), values(e.getValue()));
            }
        } catch (RuntimeException e) {
            // oneDNN refusing a primitive, a shape error ...: this path cannot run this probe
            out.add(new CheckReport.ProbeResult(probe.name(), probe.usedBy(), "run", Double.POSITIVE_INFINITY, 0,
                    e.getClass().getSimpleName() + ": " + e.getMessage()));
            return out;
        }
        String unreliable = null;
        if (!CONFIRMED.contains(probe.name()) && !agrees(got, ref, probe, settings)) {
            try {
                Map<String, double[]> again = computeReference(probe);
                Map<String, double[]> third = computeReference(probe);
                if (!same(again, third)) {
                    unreliable = "the float64 reference differed between computations (max rel. difference "
                            + String.format(java.util.Locale.ROOT, "%.1e", difference(again, third)) + "): no verdict possible";
                } else if (!same(again, ref)) {
                    ref = again; // the first computation was the wrong one
                    REFERENCE.put(probe.name(), ref);
                }
                CONFIRMED.add(probe.name());
            } catch (RuntimeException e) {
                unreliable = "the float64 reference failed when computed again: " + e;
            }
        }
        for (Map.Entry<String, double[]> e : ref.entrySet()) {
            double[] a = got.get(e.getKey());
            double tol = probe.tolerance(e.getKey(), settings);
            if (a == null) {
                out.add(new CheckReport.ProbeResult(probe.name(), probe.usedBy(), e.getKey(),
                        Double.POSITIVE_INFINITY, tol, "no " + e.getKey() + " computed"));
            } else {
                out.add(new CheckReport.ProbeResult(probe.name(), probe.usedBy(), e.getKey(),
                        relativeError(a, e.getValue()), tol, unreliable));
            }
        }
        return out;
    }

    private static boolean agrees(Map<String, double[]> got, Map<String, double[]> ref, Probe probe, EngineSettings settings) {
        for (Map.Entry<String, double[]> e : ref.entrySet()) {
            double[] a = got.get(e.getKey());
            if (a == null || relativeError(a, e.getValue()) > probe.tolerance(e.getKey(), settings)) {
                return false;
            }
        }
        return true;
    }

    /** Two float64 computations of the same thing: equal but for summation order. */
    private static boolean same(Map<String, double[]> a, Map<String, double[]> b) {
        return difference(a, b) <= SAME;
    }

    private static double difference(Map<String, double[]> a, Map<String, double[]> b) {
        double worst = a.keySet().equals(b.keySet()) ? 0 : Double.POSITIVE_INFINITY;
        for (Map.Entry<String, double[]> e : a.entrySet()) {
            double[] other = b.get(e.getKey());
            worst = Math.max(worst, other == null ? Double.POSITIVE_INFINITY : relativeError(e.getValue(), other));
        }
        return worst;
    }

    private static Map<String, double[]> reference(Probe probe) {
        Map<String, double[]> ref = REFERENCE.get(probe.name());
        if (ref == null) {
            ref = computeReference(probe);
            REFERENCE.put(probe.name(), ref);
        }
        return ref;
    }

    private static Map<String, double[]> computeReference(Probe probe) {
        Map<String, double[]> ref = new LinkedHashMap<>();
        try (NDManager m = NDManager.newBaseManager()) {
            for (Map.Entry<String, NDArray> e : probe.run(m, EngineSettings.PLAIN, DataType.FLOAT64).entrySet()) {
                ref.put(e.getKey(), values(e.getValue()));
            }
        }
        return ref;
    }

    private static double[] values(NDArray a) {
        return a.getDataType() == DataType.FLOAT64 ? a.toDoubleArray() : a.toType(DataType.FLOAT64, false).toDoubleArray();
    }

    /** max |a - b| / max |b|; infinite when {@code a} has a NaN or an infinity, or the shapes differ. */
    static double relativeError(double[] a, double[] b) {
        if (a.length != b.length) {
            return Double.POSITIVE_INFINITY;
        }
        double diff = 0;
        double scale = 0;
        for (int i = 0; i < a.length; i++) {
            if (!Double.isFinite(a[i])) {
                return Double.POSITIVE_INFINITY;
            }
            diff = Math.max(diff, Math.abs(a[i] - b[i]));
            scale = Math.max(scale, Math.abs(b[i]));
        }
        return scale == 0 ? (diff == 0 ? 0 : Double.POSITIVE_INFINITY) : diff / scale;
    }

    private static void emit(Map<String, ?> event) throws java.io.IOException {
        OUT.println(PREFIX + Json.compact(event));
        OUT.flush();
    }
}
