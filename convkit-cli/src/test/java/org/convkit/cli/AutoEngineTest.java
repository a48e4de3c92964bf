package org.convkit.cli;

import static org.convkit.cli.DoctorCommandTest.convkit;
import static org.convkit.cli.DoctorCommandTest.levers;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.convkit.cli.DoctorCommandTest.Run;
import org.convkit.core.Runtime;
import org.convkit.eval.EvalFixtures;
import org.convkit.model.engine.StandIns;
import org.convkit.onnx.OnnxCheck;
import org.convkit.onnx.OnnxRuntimeLever;
import org.convkit.onnx.OnnxStandIns;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The default engine, {@code --engine auto}, as a user meets it: {@code convkit predict} in a
 * process of its own on a checkpoint and image files. Where ONNX Runtime passed its self-check on
 * this machine it runs, says so in one INFO line and writes libtorch's answers; what only libtorch
 * does (--tta, --device, bf16, libtorch settings forced with CONVKIT_ENGINE) runs libtorch and says
 * why; where ONNX Runtime failed its check (a stand-in 1e-2 off) a checkpoint runs libtorch without
 * a WARN, a bare .onnx file is refused as with --engine onnx, and CONVKIT_ENGINE=onnxruntime forces
 * it loudly.
 */
@Tag("integration")
class AutoEngineTest {
    @TempDir
    Path tmp;

    static Path ckpt;
    static Path images;

    @BeforeAll
    static void files(@TempDir Path dir) throws Exception {
        Runtime.init();
        ckpt = EvalFixtures.lenetCheckpoint(dir.resolve("ckpt"), EvalFixtures.SHAPES, 1, Map.of());
        images = dir.resolve("images");
        Random rnd = new Random(13);
        for (int i = 0; i < 12; i++) {
            EvalFixtures.write(EvalFixtures.draw(i % 3, rnd), images.resolve(String.format("%04d.%s", i, i % 2 == 0 ? "png" : "jpg")));
        }
    }

    static String[] predict(Path csv, String... more) {
        List<String> a = new ArrayList<>(List.of("predict", "--checkpoint", ckpt.toString(), "--input", images.toString(),
                "--out", csv.toString(), "--format", "probs", "--workers", "1"));
        a.addAll(List.of(more));
        return a.toArray(String[]::new);
    }

    static List<String> engineLines(Run r) {
        return r.out().lines().filter(l -> l.contains("engine: auto")).toList();
    }

    /**
     * A WARN line about the engine other than the self-check's one-line fallback ("engine:
     * channels-last crashed: ... -> running native ..."), which says what this machine's libtorch
     * can run, not what auto chose.
     */
    static boolean warnsOfTheChoice(Run r) {
        return r.out().lines().anyMatch(l -> l.startsWith("WARN engine")
                && (l.contains("onnxruntime") || !l.contains(" -> running ")));
    }

    /** The top-k lines predict prints for one image ("  81.23%  circle"). */
    static List<String> topK(Run r) {
        return r.out().lines().filter(l -> l.matches(" *[0-9.]+%  \\w+")).toList();
    }

    /** Two probs CSVs: the same ids and labels, probabilities within 1e-5 (ExportCommandTest's bound). */
    static void assertSameAnswers(Path expected, Path actual) throws Exception {
        List<String[]> a = ExportCommandTest.rows(expected);
        List<String[]> b = ExportCommandTest.rows(actual);
        assertEquals(12, a.size());
        assertEquals(a.size(), b.size());
        assertEquals(Files.readAllLines(expected).get(0), Files.readAllLines(actual).get(0), "the same columns");
        for (int i = 0; i < a.size(); i++) {
            assertEquals(a.get(i)[0], b.get(i)[0]);
            assertEquals(a.get(i)[1], b.get(i)[1], "same label for " + a.get(i)[0]);
            for (int j = 2; j < a.get(i).length; j++) {
                assertEquals(Double.parseDouble(a.get(i)[j]), Double.parseDouble(b.get(i)[j]), 1e-5, a.get(i)[0]);
            }
        }
    }

    /** This machine's check, as the child processes read it (the same cache under ~/.convkit). */
    static boolean onnxRuntimePassedHere() {
        OnnxCheck.Verdict v = OnnxCheck.verdict();
        return v.result() != null && v.result().passed();
    }

    @Test
    void byDefaultACheckpointRunsOnnxRuntimeWhereItPassedWithLibtorchsAnswers() throws Exception {
        Path torch = tmp.resolve("torch.csv");
        Path auto = tmp.resolve("auto.csv");
        Run t = convkit(null, List.of(), Map.of(), predict(torch, "--engine", "torch"));
        Run a = convkit(null, List.of(), Map.of(), predict(auto));
        assertEquals(0, t.exit(), t.out());
        assertEquals(0, a.exit(), a.out());
        assertEquals(List.of(), engineLines(t), "an engine named is not 'chosen'");
        List<String> said = engineLines(a);
        assertEquals(1, said.size(), a.out());
        if (onnxRuntimePassedHere()) {
            assertEquals("INFO engine: auto -> ONNX Runtime " + OnnxRuntimeLever.version() + " (passed its self-check"
                    + " here; --engine torch runs libtorch)", said.get(0));
        } else {
            assertTrue(said.get(0).startsWith("INFO engine: auto -> libtorch") && said.get(0).contains("onnxruntime "),
                    said.get(0));
        }
        assertFalse(warnsOfTheChoice(a), a.out());
        assertSameAnswers(torch, auto);

        // one image: libtorch (the export would run the model in both engines first), said; libtorch's top-k
        String one = images.resolve("0003.jpg").toString();
        Run oneTorch = convkit(null, List.of(), Map.of(), "predict", "--engine", "torch", "--checkpoint", ckpt.toString(),
                "--input", one, "--top-k", "3");
        Run oneAuto = convkit(null, List.of(), Map.of(), "predict", "--checkpoint", ckpt.toString(), "--input", one,
                "--top-k", "3");
        assertEquals(0, oneAuto.exit(), oneAuto.out());
        assertEquals(List.of("INFO engine: auto -> libtorch: one image (exporting for ONNX Runtime would cost more than it"
                + " saves; --engine onnx runs it)"), engineLines(oneAuto));
        assertEquals(3, topK(oneAuto).size(), oneAuto.out());
        assertEquals(topK(oneTorch), topK(oneAuto));

        // an exported file with no --engine: ONNX Runtime, the only engine that runs one
        Path onnx = tmp.resolve("lenet.onnx");
        assertEquals(0, convkit(null, List.of(), Map.of(), "export", "--checkpoint", ckpt.toString(), "--out",
                onnx.toString()).exit());
        Path viaFile = tmp.resolve("file.csv");
        Run f = convkit(null, List.of(), Map.of(), "predict", "--checkpoint", onnx.toString(), "--input", images.toString(),
                "--out", viaFile.toString(), "--format", "probs", "--workers", "1");
        if (onnxRuntimePassedHere()) {
            assertEquals(0, f.exit(), f.out());
            assertEquals(List.of("INFO engine: auto -> ONNX Runtime " + OnnxRuntimeLever.version()
                    + " (lenet.onnx is an ONNX file)"), engineLines(f));
            assertSameAnswers(torch, viaFile);
        } else {
            assertEquals(1, f.exit(), "refused where ONNX Runtime failed: " + f.out());
        }
    }

    /** What only libtorch does runs libtorch, said in one INFO line naming the user's choice; no WARN. */
    @Test
    void theUsersChoicesThatOnlyLibtorchRunsRunLibtorchAndSayWhy() throws Exception {
        Path torchFlip = tmp.resolve("torch-flip.csv");
        Path autoFlip = tmp.resolve("auto-flip.csv");
        assertEquals(0, convkit(null, List.of(), Map.of(), predict(torchFlip, "--engine", "torch", "--tta", "flip")).exit());
        Run flip = convkit(null, List.of(), Map.of(), predict(autoFlip, "--tta", "flip"));
        assertEquals(0, flip.exit(), flip.out());
        assertEquals(List.of("INFO engine: auto -> libtorch: --tta flip (test-time augmentation runs"
                + " on libtorch only)"), engineLines(flip));
        assertFalse(warnsOfTheChoice(flip), flip.out());
        assertEquals(Files.readAllLines(torchFlip), Files.readAllLines(autoFlip), "libtorch's flip TTA, row for row");

        // no CUDA here: libtorch is chosen for the GPU, and then says it has none (never the CPU silently)
        Run gpu = convkit(null, List.of(), Map.of(), predict(tmp.resolve("gpu.csv"), "--device", "cuda"));
        assertEquals(1, gpu.exit(), gpu.out());
        assertTrue(gpu.out().contains("--device cuda: this libtorch has no CUDA support"), gpu.out());
        assertEquals(List.of("INFO engine: auto -> libtorch: --device cuda (convkit runs ONNX Runtime on the CPU only)"),
                engineLines(gpu));

        // bfloat16 is libtorch's (where bf16 runs, in the child JVM --precision bf16 starts; else fp32, said)
        Run bf16 = convkit(null, List.of(), Map.of(), predict(tmp.resolve("bf16.csv"), "--precision", "bf16"));
        assertEquals(0, bf16.exit(), bf16.out());
        assertEquals(List.of("INFO engine: auto -> libtorch: --precision bf16 (bfloat16 is libtorch's)"), engineLines(bf16));

        // libtorch's path set by hand is run as set
        Run nchw = convkit(null, List.of(), Map.of("CONVKIT_ENGINE", "nchw"), predict(tmp.resolve("nchw.csv")));
        assertEquals(0, nchw.exit(), nchw.out());
        assertEquals(List.of("INFO engine: auto -> libtorch: CONVKIT_ENGINE=nchw (settings of"
                + " libtorch)"), engineLines(nchw));
    }

    /**
     * ONNX Runtime failing its check here (a stand-in 1e-2 off, real ONNX Runtime underneath; a
     * quick NCHW stand-in for libtorch's paths): the default runs a checkpoint on libtorch with an
     * INFO line (the user asked for no engine), refuses a bare .onnx file as --engine onnx does,
     * and CONVKIT_ENGINE=onnxruntime forces ONNX Runtime with the loud warning.
     */
    @Test
    void whereOnnxRuntimeFailedItsCheckTheDefaultRunsLibtorchOrRefusesAFile() throws Exception {
        Path home = tmp.resolve("home");
        List<String> jvm = List.of(levers(StandIns.QuickNchw.class),
                "-D" + OnnxCheck.LEVER_PROPERTY + "=" + OnnxStandIns.WrongOnnxRuntime.class.getName());
        Path torch = tmp.resolve("torch.csv");
        Path auto = tmp.resolve("auto.csv");
        assertEquals(0, convkit(home, jvm, Map.of(), predict(torch, "--engine", "torch")).exit());
        Run a = convkit(home, jvm, Map.of(), predict(auto));
        assertEquals(0, a.exit(), a.out());
        List<String> said = engineLines(a);
        assertEquals(1, said.size(), a.out());
        assertTrue(said.get(0).startsWith("INFO engine: auto -> libtorch: onnxruntime failed: stand-in"
                + " conv"), said.get(0));
        assertFalse(a.out().lines().anyMatch(l -> l.startsWith("WARN") && l.contains("onnxruntime")),
                "not a warning: nobody asked for ONNX Runtime: " + a.out());
        assertEquals(Files.readAllLines(torch), Files.readAllLines(auto), "libtorch ran");

        Run explicit = convkit(home, jvm, Map.of(), predict(tmp.resolve("explicit.csv"), "--engine", "onnx"));
        assertEquals(0, explicit.exit(), explicit.out());
        assertEquals(1, explicit.out().lines().filter(l -> l.startsWith("WARN engine: onnxruntime failed: stand-in conv"))
                .count(), "asked for by name: a WARN, as before: " + explicit.out());

        Path file = tmp.resolve("lenet.onnx");
        assertEquals(0, convkit(home, jvm, Map.of(), "export", "--checkpoint", ckpt.toString(), "--out", file.toString()).exit());
        String[] bare = {"predict", "--checkpoint", file.toString(), "--input", images.toString(), "--out",
            tmp.resolve("bare.csv").toString()};
        Run refused = convkit(home, jvm, Map.of(), bare);
        assertEquals(1, refused.exit(), refused.out());
        assertTrue(refused.out().contains(file + ": ONNX Runtime " + OnnxRuntimeLever.version() + " did not pass the engine"
                + " self-check on this machine (failed: stand-in conv"), refused.out());

        Run forced = convkit(home, jvm, Map.of("CONVKIT_ENGINE", "onnxruntime"), predict(tmp.resolve("forced.csv")));
        assertEquals(0, forced.exit(), forced.out());
        assertTrue(forced.out().contains("WARNING: CONVKIT_ENGINE forces onnxruntime, which FAILED the engine self-check"
                + " on this machine (failed: stand-in conv"), forced.out());
        assertEquals(List.of("INFO engine: auto -> ONNX Runtime " + OnnxRuntimeLever.version() + " (CONVKIT_ENGINE forces"
                + " onnxruntime; --engine torch runs libtorch)"), engineLines(forced));
    }
}
