package org.convkit.model.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.convkit.core.EngineSettings;
import org.convkit.core.EngineSettings.Layout;
import org.convkit.model.engine.CheckReport.PathResult;
import org.convkit.model.engine.CheckReport.Status;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The self-check's own failure handling, with real processes: paths standing in for broken ones
 * (see {@link StandIns}) crash their process natively, abort, exit, hang or compute a wrong result;
 * the check must name each, keep going in a fresh process, and convkit must fall back to a path
 * that passed. Results are cached per fingerprint and written under a lock.
 */
@Tag("integration")
class EngineCheckTest {
    @TempDir
    Path home;

    static EngineCheck.Options options(Path dir, Duration timeout, List<Class<? extends Lever>> levers) {
        return EngineCheck.Options.defaults().withCacheDir(dir).withLevers(levers).withTimeout(timeout);
    }

    @Test
    void everyWayAPathCanFailIsAnAnswerAndConvkitFallsBack() throws IOException {
        long crashLogsBefore = crashLogsHere();
        EngineCheck.Options o = options(home, Duration.ofSeconds(20), List.of(StandIns.SegvNamed.class,
                StandIns.AbortNamed.class, StandIns.ExitNamed.class, StandIns.HangNamed.class, StandIns.WrongNamed.class,
                StandIns.QuickChannelsLast.class, StandIns.QuickNchw.class, StandIns.ThrowingFold.class));
        long start = System.nanoTime();
        CheckReport r = EngineCheck.report(o, false);
        double seconds = (System.nanoTime() - start) / 1e9;
        r.paths().forEach(p -> System.out.println(p.path() + ": " + p.summary()));

        assertPath(r, "channels-last/segv", Status.CRASHED, "SIGSEGV");
        assertPath(r, "channels-last/segv", Status.CRASHED, "stand-in conv 3x3"); // names the probe it died in
        assertPath(r, "channels-last/abort", Status.CRASHED, "SIGABRT");
        assertPath(r, "channels-last/exit", Status.CRASHED, "exited with status 3");
        assertPath(r, "channels-last/hang", Status.HUNG, "no answer for 20 s");
        assertPath(r, "channels-last/wrong", Status.FAILED, "forward: 1.0e-02 > 1.0e-04");
        assertEquals(1e-2, r.path("channels-last/wrong").maxRelativeError(), 1e-4);
        assertPath(r, "channels-last", Status.PASSED, null);
        assertPath(r, "nchw", Status.PASSED, null);
        assertPath(r, "bn-fold@channels-last", Status.FAILED, "could not create a primitive");
        assertPath(r, "bn-fold@nchw", Status.PASSED, null);
        assertNull(r.path("bn-fold@channels-last/segv"), "options run only on layouts that passed");
        assertTrue(seconds < 300, "the hang cost its timeout, not more: " + seconds + " s");
        assertEquals(crashLogsBefore, crashLogsHere(), "no hs_err_pid*.log left in the working directory");

        // what convkit then runs: the first layout that passed, without the option that failed on it
        EngineCheck.Choice c = EngineCheck.choose(r, EngineSettings.Spec.AUTO, EngineCheck.levers(o));
        assertEquals(Layout.CHANNELS_LAST, c.settings().layout());
        assertFalse(c.settings().foldBatchNorm(), "bn-fold failed on channels-last");
        assertFalse(c.noCorrectPath());
        assertTrue(c.warnings().isEmpty(), c.warnings().toString());
        System.out.println(c.fallback());
        assertTrue(c.fallback().startsWith("engine: channels-last/segv crashed: the JVM crashed: SIGSEGV"), c.fallback());
        assertTrue(c.fallback().contains("bn-fold failed") && c.fallback().contains("-> running channels-last, BatchNorm not folded"),
                c.fallback());

        // the result is cached under the fingerprint's key: the next call reads it, a recheck runs again
        Path file = home.resolve(r.key() + ".json");
        assertTrue(Files.isRegularFile(file));
        long t = System.nanoTime();
        CheckReport again = EngineCheck.report(o, false);
        assertEquals(r.checkedAt(), again.checkedAt());
        assertTrue((System.nanoTime() - t) / 1e9 < 5, "a cached result costs no check");
        assertEquals(r, again);
    }

    /**
     * bfloat16 is a lever like the others: checked in a process of its own started with {@code
     * ONEDNN_DEFAULT_FPMATH_MODE=BF16}, against float64 with bf16's tolerance, on every layout that
     * passed. Where it failed it is off: never chosen, and {@code --precision bf16} runs fp32 with
     * one line saying why; where it passed (NCHW, which training runs) it may run.
     */
    @Test
    void bf16IsCheckedAndWhereItFailsPrecisionBf16RunsFp32() throws IOException {
        EngineCheck.Options o = options(home, Duration.ofSeconds(120), List.of(StandIns.QuickChannelsLast.class,
                StandIns.QuickNchw.class, StandIns.WrongOnChannelsLastBf16.class));
        CheckReport r = EngineCheck.report(o, false);
        r.paths().forEach(p -> System.out.println(p.path() + ": " + p.summary()));
        List<Lever> levers = EngineCheck.levers(o);
        if (!EngineCheck.cpuHasBf16()) {
            // a CPU without bfloat16 instructions (an AVX2 Zen 3, say): oneDNN would compute
            // float32 under the bf16 mode, so no bf16 process is started and nothing claims bf16
            assertPath(r, "bf16@nchw", Status.NOT_RUN, "this CPU has no bfloat16 instructions");
            assertPath(r, "bf16@channels-last", Status.NOT_RUN, "this CPU has no bfloat16 instructions");
            assertPath(r, "nchw", Status.PASSED, null);
            for (boolean training : new boolean[] {true, false}) {
                assertEquals(EngineCheck.NO_BF16, EngineCheck.whyNotBf16(r, EngineSettings.Spec.AUTO, levers, training));
            }
            EngineCheck.Choice c = EngineCheck.choose(r, EngineSettings.Spec.AUTO, levers);
            assertEquals(EngineSettings.Precision.FP32, c.settings().precision());
            assertNull(c.fallback(), "a lever the CPU cannot have is not a fallback to warn about");
            assertEquals(EngineSettings.Precision.FP32,
                    EngineCheck.available(c.settings().withPrecision(EngineSettings.Precision.BF16)).precision(),
                    "asked for bf16, this CPU computes fp32");
            return;
        }
        assertPath(r, "bf16@channels-last", Status.FAILED, "forward: 1.0e-01 > 3.0e-02");
        if (r.path("bf16@nchw").status() == Status.NO_EFFECT) {
            // a CPU with bfloat16 instructions where oneDNN computes float32 under the bf16 mode
            // (an AMD Zen 4: its float32 AVX-512 kernels): the check saw float32's error, so bf16 is
            // not used and --precision bf16 says why and runs fp32, for training too
            assertTrue(r.path("bf16@nchw").maxRelativeError() < BlockProbe.FORWARD_FP32, r.path("bf16@nchw").toString());
            assertPath(r, "bf16@nchw", Status.NO_EFFECT, "oneDNN computed float32 under ONEDNN_DEFAULT_FPMATH_MODE=BF16");
            String why = EngineCheck.whyNotBf16(r, EngineSettings.Spec.AUTO, levers, true);
            assertTrue(why != null && why.startsWith("bf16 on nchw no effect: oneDNN computed float32"), why);
            EngineCheck.Choice c = EngineCheck.choose(r, EngineSettings.Spec.AUTO, levers);
            assertEquals(EngineSettings.Precision.FP32, c.settings().precision());
            assertNull(c.fallback());
            return;
        }
        assertEquals(Levers.EVALUATION, r.path("bf16@channels-last").checkedFor());
        assertPath(r, "bf16@nchw", Status.PASSED, null);
        assertEquals(Levers.TRAINING_AND_EVALUATION, r.path("bf16@nchw").checkedFor());
        double err = r.path("bf16@nchw").maxRelativeError();
        assertTrue(err > BlockProbe.FORWARD_FP32 && err < BlockProbe.FORWARD_BF16,
                "the bf16 process really computed in bfloat16 (a float32 error is below 1e-4), within bf16's tolerance: " + err);

        // never on by itself, and nothing said about it then
        EngineCheck.Choice c = EngineCheck.choose(r, EngineSettings.Spec.AUTO, levers);
        assertEquals(EngineSettings.Precision.FP32, c.settings().precision());
        assertEquals(Layout.CHANNELS_LAST, c.settings().layout());
        assertNull(c.fallback());
        // --precision bf16: evaluation runs channels-last, where bf16 failed -> fp32, said why
        String why = EngineCheck.whyNotBf16(r, EngineSettings.Spec.AUTO, levers, false);
        assertEquals("bf16 on channels-last failed: stand-in conv 3x3 16->16 @8x8, batch 2 (stand-in) forward: 1.0e-01 > 3.0e-02",
                why);
        // training runs NCHW, where it passed; forcing NCHW lets evaluation have it too
        assertNull(EngineCheck.whyNotBf16(r, EngineSettings.Spec.AUTO, levers, true));
        assertNull(EngineCheck.whyNotBf16(r, EngineSettings.Spec.parse("nchw", "test"), levers, false));
        // forcing bf16 where it failed warns loudly
        EngineCheck.Choice forced = EngineCheck.choose(r, EngineSettings.Spec.parse("bf16", "test"), levers);
        assertTrue(forced.warnings().stream().anyMatch(w -> w.contains("forces bf16, which FAILED the engine self-check")),
                forced.warnings().toString());
    }

    /** Two processes asking at once: one checks, the other waits for the lock and reads its result. */
    @Test
    void twoProcessesCheckOnce() throws Exception {
        List<Process> ps = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            ps.add(new ProcessBuilder(java(), "-cp", System.getProperty("java.class.path"), "-Dai.djl.offline=true",
                    ReportMain.class.getName(), home.toString()).redirectError(ProcessBuilder.Redirect.INHERIT).start());
        }
        List<String> answers = new ArrayList<>();
        for (Process p : ps) {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            assertTrue(p.waitFor(10, TimeUnit.MINUTES));
            assertEquals(0, p.exitValue(), out);
            answers.add(out.lines().filter(l -> l.startsWith("checkedAt ")).findFirst().orElse(out));
        }
        assertEquals(answers.get(0), answers.get(1), "both got the one result checked once");
        try (Stream<Path> files = Files.list(home)) {
            assertEquals(1, files.filter(f -> f.toString().endsWith(".json")).count());
        }
    }

    /** Runs the check (quick stand-ins) on the cache folder given, prints when it was checked. */
    public static final class ReportMain {
        public static void main(String[] args) throws Exception {
            CheckReport r = EngineCheck.report(options(Path.of(args[0]), Duration.ofSeconds(120),
                    List.of(StandIns.QuickChannelsLast.class, StandIns.QuickNchw.class)), false);
            System.out.println("checkedAt " + r.checkedAt());
            System.exit(0);
        }
    }

    private static void assertPath(CheckReport r, String path, Status status, String inMessage) {
        PathResult p = r.path(path);
        assertTrue(p != null, "no result for " + path + " in " + r.summary());
        assertEquals(status, p.status(), path + ": " + p.summary());
        if (inMessage != null) {
            assertTrue(p.message().contains(inMessage), path + ": '" + p.message() + "' should say " + inMessage);
        }
    }

    private static long crashLogsHere() throws IOException {
        try (Stream<Path> files = Files.list(Path.of(System.getProperty("user.dir")))) {
            return files.filter(f -> f.getFileName().toString().startsWith("hs_err_pid")).count();
        }
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
