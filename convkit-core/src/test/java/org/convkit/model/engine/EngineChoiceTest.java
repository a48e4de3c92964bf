package org.convkit.model.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.convkit.core.ConvkitException;
import org.convkit.core.EngineSettings;
import org.convkit.core.EngineSettings.Layout;
import org.convkit.core.EngineSettings.Spec;
import org.convkit.model.engine.CheckReport.PathResult;
import org.convkit.model.engine.CheckReport.ProbeResult;
import org.convkit.model.engine.CheckReport.Status;
import org.junit.jupiter.api.Test;

/** What convkit runs for a given self-check result and what the user forced, and what it says. */
class EngineChoiceTest {
    static final List<Lever> LEVERS = List.of(new Levers.ChannelsLast(), new Levers.Nchw(), new Levers.BatchNormFold());

    /** A report with these paths: name -> status (probes made up to match). */
    static CheckReport report(Map<String, Status> paths) {
        List<PathResult> out = new ArrayList<>();
        paths.forEach((name, st) -> {
            double err = st == Status.FAILED ? 3.7e-2 : 1e-6;
            List<ProbeResult> probes = st == Status.CRASHED ? List.of()
                    : List.of(new ProbeResult("conv 1x1 256->64", "resnet50", "forward", err, 1e-4, null));
            String msg = switch (st) {
                case PASSED -> null;
                case FAILED -> probes.get(0).toString();
                case CRASHED -> "the JVM crashed: SIGFPE at dnnl::impl::cpu::x64::brgemm_convolution_utils::est_eff_1x1()";
                case NO_EFFECT -> "oneDNN computed float32 under ONEDNN_DEFAULT_FPMATH_MODE=BF16 on this CPU";
                default -> "no answer";
            };
            out.add(new PathResult(name, name.replaceFirst("@.*", ""), name.contains("@") ? name.replaceFirst(".*@", "") : null,
                    "", Levers.EVALUATION, st, msg, 1, probes));
        });
        return new CheckReport(CheckReport.FORMAT, "k", Map.of(), "2026-01-01T00:00:00Z", 1, out);
    }

    @Test
    void allPassed_fastestLayoutWithFolding_nothingSaid() {
        CheckReport r = report(Map.of("channels-last", Status.PASSED, "nchw", Status.PASSED,
                "bn-fold@channels-last", Status.PASSED, "bn-fold@nchw", Status.PASSED));
        EngineCheck.Choice c = EngineCheck.choose(r, Spec.AUTO, LEVERS);
        assertEquals(new EngineSettings(Layout.CHANNELS_LAST, true, true, EngineSettings.Precision.FP32), c.settings());
        assertNull(c.fallback());
        assertTrue(c.warnings().isEmpty());
        assertFalse(c.noCorrectPath());
    }

    @Test
    void channelsLastCrashes_nchwWithFolding_inOneLine() {
        CheckReport r = report(Map.of("channels-last", Status.CRASHED, "nchw", Status.PASSED, "bn-fold@nchw",
                Status.PASSED));
        EngineCheck.Choice c = EngineCheck.choose(r, Spec.AUTO, LEVERS);
        assertEquals(EngineSettings.PLAIN.withFoldBatchNorm(true), c.settings());
        assertEquals("engine: channels-last crashed: the JVM crashed: SIGFPE at"
                + " dnnl::impl::cpu::x64::brgemm_convolution_utils::est_eff_1x1() -> running nchw, BatchNorm folded, fp32"
                + " (convkit doctor for details)", c.fallback());
        assertFalse(c.fallback().contains("\n"), "one line");
        assertTrue(c.warnings().isEmpty());
    }

    /** Evaluation has a layout that passed; training, which has none other, says so loudly. */
    @Test
    void nchwFailed_evaluationRunsChannelsLast_butTrainingIsWarnedLoudly() {
        CheckReport r = report(Map.of("channels-last", Status.PASSED, "nchw", Status.FAILED,
                "bn-fold@channels-last", Status.PASSED));
        EngineCheck.Choice c = EngineCheck.choose(r, Spec.AUTO, LEVERS);
        assertEquals(new EngineSettings(Layout.CHANNELS_LAST, true, true, EngineSettings.Precision.FP32), c.settings());
        assertFalse(c.noCorrectPath(), "evaluation has a path that passed");
        assertEquals(1, c.warnings().size(), c.warnings().toString());
        assertTrue(c.warnings().get(0).startsWith("WARNING: training runs nchw, which FAILED the engine self-check"
                + " on this machine (failed: conv 1x1 256->64 (resnet50) forward: 3.7e-02 > 1.0e-04"), c.warnings().get(0));
        // nchw that passed says nothing, as in every other case here
        CheckReport ok = report(Map.of("channels-last", Status.PASSED, "nchw", Status.PASSED));
        assertTrue(EngineCheck.choose(ok, Spec.AUTO, LEVERS).warnings().isEmpty());
    }

    /**
     * The machine of docs/engine.md's "Known failures": oneDNN wrong or crashing in both its
     * layouts, libtorch's own kernels right. Everything runs native, training included, and says why.
     */
    @Test
    void oneDnnWrongInEveryLayout_nativeRunsEverything_trainingToo() {
        List<Lever> levers = List.of(new Levers.ChannelsLast(), new Levers.Nchw(), new Levers.Native(),
                new Levers.BatchNormFold());
        CheckReport r = report(Map.of("channels-last", Status.CRASHED, "nchw", Status.FAILED, "native", Status.PASSED,
                "bn-fold@native", Status.PASSED));
        EngineCheck.Choice c = EngineCheck.choose(r, Spec.AUTO, levers);
        assertEquals(new EngineSettings(Layout.NATIVE, true, true, EngineSettings.Precision.FP32), c.settings());
        assertEquals(Layout.NATIVE, c.settings().forTraining().layout(), "training runs native too");
        assertTrue(c.warnings().isEmpty(), "training has a path that passed: " + c.warnings());
        assertTrue(c.fallback().startsWith("engine: channels-last crashed: the JVM crashed: SIGFPE") && c.fallback()
                .contains("nchw failed: conv 1x1 256->64") && c.fallback().endsWith("-> running native, BatchNorm folded,"
                        + " fp32 (convkit doctor for details)"), c.fallback());

        // channels-last right for evaluation, but training's nchw wrong: native serves both, rather
        // than evaluation on one path and training on a refused one
        CheckReport mixed = report(Map.of("channels-last", Status.PASSED, "nchw", Status.FAILED, "native", Status.PASSED));
        EngineCheck.Choice m = EngineCheck.choose(mixed, Spec.AUTO, levers);
        assertEquals(Layout.NATIVE, m.settings().layout());
        assertTrue(m.warnings().isEmpty(), m.warnings().toString());
        assertTrue(m.fallback().startsWith("engine: channels-last passed, but training runs it as nchw, which failed"),
                m.fallback());
        // where nchw passed, native (slower) is never taken
        CheckReport fine = report(Map.of("channels-last", Status.PASSED, "nchw", Status.PASSED, "native", Status.PASSED));
        assertEquals(Layout.CHANNELS_LAST, EngineCheck.choose(fine, Spec.AUTO, levers).settings().layout());
        assertEquals(Layout.NATIVE, Spec.parse("native,no-fold", "CONVKIT_ENGINE").layout());
    }

    @Test
    void foldingWrongOnTheBestLayout_isLeftOut() {
        CheckReport r = report(Map.of("channels-last", Status.PASSED, "nchw", Status.PASSED,
                "bn-fold@channels-last", Status.FAILED, "bn-fold@nchw", Status.PASSED));
        EngineCheck.Choice c = EngineCheck.choose(r, Spec.AUTO, LEVERS);
        assertEquals(EngineSettings.PLAIN.withLayout(Layout.CHANNELS_LAST), c.settings());
        assertTrue(c.fallback().startsWith("engine: bn-fold failed: conv 1x1 256->64 (resnet50) forward: 3.7e-02 > 1.0e-04"),
                c.fallback());
    }

    @Test
    void aForcedPathThatFailed_isUsedWithALoudWarning() {
        CheckReport r = report(Map.of("channels-last", Status.FAILED, "nchw", Status.PASSED, "bn-fold@nchw",
                Status.PASSED));
        EngineCheck.Choice c = EngineCheck.choose(r, Spec.parse("channels-last,fold", "CONVKIT_ENGINE"), LEVERS);
        assertEquals(new EngineSettings(Layout.CHANNELS_LAST, true, true, EngineSettings.Precision.FP32), c.settings());
        assertNull(c.fallback(), "the user chose: nothing fell back");
        assertEquals(2, c.warnings().size(), c.warnings().toString());
        assertTrue(c.warnings().get(0).startsWith("WARNING: ") && c.warnings().get(0).contains(
                "forces channels-last, which FAILED the engine self-check on this machine (failed: conv 1x1 256->64"),
                c.warnings().get(0));
        assertTrue(c.warnings().get(0).endsWith("results may be wrong"));
        assertTrue(c.warnings().get(1).contains("forces bn-fold, which the engine self-check did not check"),
                c.warnings().get(1));

        // forcing what passed says nothing; forcing an option off is no fallback
        EngineCheck.Choice quiet = EngineCheck.choose(r, Spec.parse("nchw,no-fold", "x"), LEVERS);
        assertEquals(EngineSettings.PLAIN, quiet.settings());
        assertTrue(quiet.warnings().isEmpty());
        assertNull(quiet.fallback());
    }

    @Test
    void noCorrectPath_isSaid_andThePlainPathRuns() {
        CheckReport r = report(Map.of("channels-last", Status.FAILED, "nchw", Status.FAILED));
        EngineCheck.Choice c = EngineCheck.choose(r, Spec.AUTO, LEVERS);
        assertTrue(c.noCorrectPath());
        assertEquals(EngineSettings.PLAIN, c.settings());
    }

    @Test
    void bf16_inAProcessNotStartedForIt_runsFp32() {
        org.junit.jupiter.api.Assumptions.assumeTrue(EngineCheck.processPrecision() == EngineSettings.Precision.FP32);
        CheckReport r = report(Map.of("nchw", Status.PASSED));
        EngineCheck.Choice c = EngineCheck.choose(r, Spec.parse("bf16", "CONVKIT_ENGINE"), LEVERS);
        assertEquals(EngineSettings.Precision.FP32, c.settings().precision(), "the precision the process computes in");
    }

    /**
     * bfloat16 whose results equal float32's (oneDNN took its float32 kernels under the bf16 mode,
     * as on an AMD Zen 4): the lever says it had no effect, --precision bf16 runs fp32 and says
     * why, and forcing it is said as "changed nothing", not as a wrong result.
     */
    @Test
    void bf16WhoseResultsAreFloat32s_hadNoEffect_andIsNotUsed() {
        Lever bf16 = new Levers.Bf16();
        ProbeResult exact = new ProbeResult("conv 3x3 64->64", "resnet18", "forward", 3.0e-7, BlockProbe.FORWARD_BF16, null);
        ProbeResult rounded = new ProbeResult("conv 3x3 64->64", "resnet18", "forward", 2.1e-3, BlockProbe.FORWARD_BF16, null);
        String said = bf16.noEffect(List.of(exact, exact));
        assertTrue(said != null && said.startsWith("oneDNN computed float32 under ONEDNN_DEFAULT_FPMATH_MODE=BF16"), said);
        assertNull(bf16.noEffect(List.of(exact, rounded)), "one convolution rounded to bfloat16: it ran");
        assertNull(new Levers.Nchw().noEffect(List.of(exact)), "a layout always has an effect");

        List<Lever> levers = List.of(new Levers.Nchw(), bf16);
        CheckReport r = report(Map.of("nchw", Status.PASSED, "bf16@nchw", Status.NO_EFFECT));
        assertFalse(r.path("bf16@nchw").passed());
        assertTrue(r.path("bf16@nchw").summary().startsWith("no effect: oneDNN computed float32"));
        assertEquals(EngineCheck.cpuHasBf16() ? "bf16 on nchw no effect: oneDNN computed float32 under"
                + " ONEDNN_DEFAULT_FPMATH_MODE=BF16 on this CPU" : EngineCheck.NO_BF16,
                EngineCheck.whyNotBf16(r, Spec.AUTO, levers, true));
        EngineCheck.Choice c = EngineCheck.choose(r, Spec.AUTO, levers);
        assertEquals(EngineSettings.Precision.FP32, c.settings().precision());
        assertNull(c.fallback(), "an option never on by default is not a fallback");
        EngineCheck.Choice forced = EngineCheck.choose(r, Spec.parse("bf16", "CONVKIT_ENGINE"), levers);
        assertEquals(1, forced.warnings().size(), forced.warnings().toString());
        assertTrue(forced.warnings().get(0).contains("forces bf16, which changed nothing in the engine self-check"),
                forced.warnings().get(0));
        assertFalse(forced.warnings().get(0).contains("may be wrong"), forced.warnings().get(0));
    }

    @Test
    void specsParseAndRoundTrip() {
        EngineSettings s = new EngineSettings(Layout.CHANNELS_LAST, false, false, EngineSettings.Precision.FP32);
        assertEquals("channels-last,no-fold,keep,fp32", s.spec());
        assertEquals(s, Spec.parse(s.spec(), "x").applyTo(EngineSettings.PLAIN.withFoldBatchNorm(true)));
        assertTrue(Spec.parse(" auto ", "x").isAuto());
        assertTrue(Spec.parse("nchw,no-check", "x").noCheck());
        assertEquals(Layout.NCHW, Spec.parse("NCHW", "x").layout());
        ConvkitException e = assertThrows(ConvkitException.class, () -> Spec.parse("channels-first", "CONVKIT_ENGINE"));
        assertTrue(e.getMessage().startsWith("CONVKIT_ENGINE=channels-first: unknown item 'channels-first'"), e.getMessage());
    }
}
