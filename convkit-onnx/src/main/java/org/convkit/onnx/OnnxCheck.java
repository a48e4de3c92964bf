package org.convkit.onnx;

import java.io.IOException;
import java.util.List;
import org.convkit.core.ConvkitException;
import org.convkit.core.EngineSettings;
import org.convkit.model.engine.CheckReport;
import org.convkit.model.engine.CheckReport.PathResult;
import org.convkit.model.engine.EngineCheck;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether ONNX Runtime may run on this machine: the engine self-check's {@link OnnxRuntimeLever},
 * run once per machine and ONNX Runtime version by the core's machinery (a child process, the
 * timeout, the file lock, the cache under {@code $CONVKIT_HOME/engine-check/}, its own file since
 * its lever and ONNX Runtime's version are part of the key), on the first use of ONNX Runtime in a
 * process ({@link OnnxClassifier#open}, {@link Classifiers#open}).
 *
 * <p>Where it did not pass, a command given a checkpoint or run folder runs libtorch instead (one
 * WARN line with {@code --engine onnx}, INFO with the default, {@code auto}, which also runs
 * libtorch where ONNX Runtime was not checked: {@link Classifiers#choose}), and a bare {@code .onnx} file is refused, unless {@code CONVKIT_ENGINE} (or {@code
 * -Dconvkit.engine}) has the item {@code onnxruntime}, which runs it with a loud warning. {@code
 * no-check} skips the check. Where libtorch is missing (a deployment that runs ONNX files only,
 * docs/onnx.md) nothing can be checked: the check's float64 reference is libtorch's. ONNX Runtime
 * then runs unchecked, and says so once.
 */
public final class OnnxCheck {
    /** The lever class to check in place of {@link OnnxRuntimeLever} (tests: one standing in for a broken ONNX Runtime). */
    public static final String LEVER_PROPERTY = "convkit.onnx.check.lever";

    private static final Logger LOG = LoggerFactory.getLogger(OnnxCheck.class);

    /** This process's verdict, once checked (null: not yet). */
    private static Verdict verdict;
    private static boolean warned;

    private OnnxCheck() {}

    /**
     * What the check said in this process.
     *
     * @param result the path's result, or null when not checked
     * @param notChecked why it was not checked (null when checked, or skipped with {@code no-check})
     */
    public record Verdict(PathResult result, String notChecked) {
        /** Whether ONNX Runtime runs here without being forced: it passed, or it was not checked. */
        public boolean usable() {
            return result == null || result.passed();
        }

        /** "passed (max relative error 2.1e-07)", "crashed: ...", "not checked: ...". */
        public String summary() {
            return result != null ? result.summary() : notChecked != null ? "not checked: " + notChecked : "not checked (no-check)";
        }
    }

    /** The check's options: the core's (cache folder, timeout) with ONNX Runtime's lever alone. */
    public static EngineCheck.Options options() {
        return EngineCheck.Options.defaults().withLevers(EngineCheck.leversFrom(LEVER_PROPERTY,
                List.of(OnnxRuntimeLever.class)));
    }

    /** This machine's ONNX Runtime result (the cached one, else checked now); {@code recheck} discards the cache. */
    public static CheckReport report(EngineCheck.Options options, boolean recheck) throws IOException {
        return EngineCheck.report(options, recheck);
    }

    /** ONNX Runtime's path in {@code report}, or null. */
    public static PathResult result(CheckReport report) {
        return report.path(OnnxRuntimeLever.NAME);
    }

    /** This process's verdict: checked on the first call (a file read after the first time on a machine). */
    public static synchronized Verdict verdict() {
        if (verdict == null) {
            verdict = check();
        }
        return verdict;
    }

    /**
     * Runs this process with a result checked elsewhere (a Spark executor given the driver's, a
     * test); null to check again at the next use.
     */
    public static synchronized void use(PathResult result) {
        verdict = result == null ? null : new Verdict(result, null);
        warned = false;
    }

    /**
     * Whether ONNX Runtime may run here: it passed (or could not be checked, or {@code no-check}),
     * or the user forces it, which is said loudly once.
     */
    public static synchronized boolean usable() {
        Verdict v = verdict();
        if (v.usable()) {
            return true;
        }
        if (EngineCheck.forced().onnxRuntime()) {
            if (!warned) {
                LOG.warn("WARNING: {} forces onnxruntime, which FAILED the engine self-check on this machine ({}): results"
                        + " may be wrong", EngineCheck.forcedBy(), v.summary());
                warned = true;
            }
            return true;
        }
        return false;
    }

    /**
     * Refuses ONNX Runtime on a machine where it failed the check (unless forced), for a model that
     * has no libtorch model to fall back to.
     *
     * @param what the file, for the message
     */
    public static void require(String what) {
        if (!usable()) {
            throw new ConvkitException(what + ": ONNX Runtime " + OnnxRuntimeLever.version() + " did not pass the engine"
                    + " self-check on this machine (" + verdict().summary() + "), so convkit does not run it here. Run the checkpoint or"
                    + " run folder this file was exported from (--engine torch, or --engine onnx, which then runs"
                    + " libtorch), or force ONNX Runtime with CONVKIT_ENGINE=onnxruntime (results may be wrong);"
                    + " convkit doctor shows what failed");
        }
    }

    /** The one line said when a checkpoint runs on libtorch instead: "engine: onnxruntime crashed: ... -> running libtorch". */
    static String fallback() {
        return "engine: " + OnnxRuntimeLever.NAME + " " + verdict().summary() + " -> running libtorch (convkit doctor for details)";
    }

    private static Verdict check() {
        EngineSettings.Spec forced = EngineCheck.forced();
        if (forced.noCheck()) {
            return new Verdict(null, null);
        }
        try {
            org.convkit.core.Runtime.init();
        } catch (RuntimeException e) {
            String why = "its float64 reference is libtorch's, which is not installed here";
            LOG.warn("engine: ONNX Runtime is not checked on this machine: {} (docs/onnx.md)", why);
            LOG.debug("libtorch did not load", e);
            return new Verdict(null, why);
        }
        try {
            PathResult r = result(report(options(), false));
            return r != null ? new Verdict(r, null) : new Verdict(null, "the check did not run it");
        } catch (IOException | RuntimeException e) {
            LOG.warn("engine: the ONNX Runtime self-check could not run ({}): --engine onnx runs ONNX Runtime"
                    + " unchecked, the default (auto) runs libtorch (convkit doctor)", e.getMessage());
            return new Verdict(null, "the check could not run (" + e.getMessage() + ")");
        }
    }
}
