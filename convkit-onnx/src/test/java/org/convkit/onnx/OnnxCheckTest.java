package org.convkit.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.convkit.core.ConvkitException;
import org.convkit.core.Runtime;
import org.convkit.eval.Classifier;
import org.convkit.model.ConvNet;
import org.convkit.model.ModelOptions;
import org.convkit.model.Zoo;
import org.convkit.model.engine.CheckReport;
import org.convkit.model.engine.CheckReport.PathResult;
import org.convkit.model.engine.CheckReport.ProbeResult;
import org.convkit.model.engine.CheckReport.Status;
import org.convkit.model.engine.EngineCheck;
import org.convkit.model.engine.Lever;
import org.convkit.model.weights.Checkpoint;
import org.convkit.model.weights.ModelInfo;
import org.convkit.model.weights.ModelSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ONNX Runtime check with real ONNX Runtime sessions in real child processes: the real probes
 * pass here within float32's tolerance of libtorch's float64 results; a stand-in ONNX Runtime that
 * is 1e-2 off fails, one whose process dies of SIGSEGV is crashed (and this process goes on); a
 * result is cached; where ONNX Runtime did not pass, a checkpoint runs on libtorch with one WARN
 * line and a bare .onnx file is refused, naming the file, unless forced.
 */
@Tag("integration")
class OnnxCheckTest {
    @TempDir
    Path home;

    @AfterEach
    void forget() {
        OnnxCheck.use(null);
    }

    EngineCheck.Options options(Class<? extends Lever> lever) {
        return EngineCheck.Options.defaults().withCacheDir(home.resolve("engine-check")).withLevers(List.of(lever))
                .withTimeout(Duration.ofSeconds(120));
    }

    @Test
    void theRealProbesPassHereAndTheResultIsCached() throws IOException {
        long start = System.nanoTime();
        CheckReport r = OnnxCheck.report(options(OnnxRuntimeLever.class), false);
        double seconds = (System.nanoTime() - start) / 1e9;
        PathResult p = OnnxCheck.result(r);
        System.out.printf("onnxruntime: %s, %d comparisons, %.1f s (path %.1f s)%n", p.summary(), p.probes().size(),
                seconds, p.seconds());
        assertEquals(Status.PASSED, p.status(), p.summary());
        assertEquals(List.of(p), r.paths(), "ONNX Runtime alone: no libtorch path in its report");
        // every convolution of the table, and the layers and the conv + BatchNorm chain with
        // BatchNorm kept and folded
        assertEquals(org.convkit.model.engine.Probes.CONVOLUTIONS.size() + 4, p.probes().size(), p.probes().toString());
        for (ProbeResult q : p.probes()) {
            assertTrue(q.error() > 0 && q.error() <= 1e-4, q.toString()); // a real float32 error, not a copy of the reference
        }
        assertTrue(p.probes().stream().anyMatch(q -> q.probe().contains("11x11/4")), "alexnet's stem is probed");
        assertTrue(p.probes().stream().anyMatch(q -> q.probe().endsWith("BatchNorm kept")), "BatchNormalization nodes");
        assertTrue(p.maxRelativeError() < 1e-4 && p.maxRelativeError() > 0, "max " + p.maxRelativeError());
        assertEquals(OnnxRuntimeLever.version(), r.fingerprint().get("onnxruntime"), "keyed by ONNX Runtime's version");

        // cached under its key: the next call reads the file (same check time) and starts no process
        assertTrue(Files.isRegularFile(home.resolve("engine-check").resolve(r.key() + ".json")));
        long t = System.nanoTime();
        CheckReport again = OnnxCheck.report(options(OnnxRuntimeLever.class), false);
        assertEquals(r.checkedAt(), again.checkedAt());
        assertTrue((System.nanoTime() - t) / 1e9 < 2, "a cached result costs a file read");
        // ONNX Runtime's result does not share libtorch's file
        CheckReport quick = OnnxCheck.report(options(OnnxStandIns.QuickOnnxRuntime.class), false);
        assertTrue(!quick.key().equals(r.key()) && OnnxCheck.result(quick).passed(), quick.summary());
    }

    @Test
    void aWrongOnnxRuntimeFailsAndACheckpointRunsOnLibtorch() throws IOException {
        PathResult p = OnnxCheck.result(OnnxCheck.report(options(OnnxStandIns.WrongOnnxRuntime.class), false));
        assertEquals(Status.FAILED, p.status(), p.summary());
        assertTrue(p.message().contains("forward: 1.0e-02 > 1.0e-04"), p.message());

        OnnxCheck.use(p);
        Path ck = checkpoint(home.resolve("ck"));
        String[] said = new String[1];
        try (Classifier c = stderr(said, () -> Classifiers.open(ModelSource.checkpoint(ck), Classifiers.Engine.ONNX,
                Classifiers.Options.defaults()))) {
            assertTrue(c.engine().startsWith("libtorch"), c.engine());
        }
        List<String> warn = said[0].lines().filter(l -> l.contains("engine: onnxruntime")).toList();
        assertEquals(1, warn.size(), said[0]);
        assertTrue(warn.get(0).contains("WARN") && warn.get(0).contains("engine: onnxruntime failed: ")
                && warn.get(0).endsWith("-> running libtorch (convkit doctor for details)"), warn.get(0));

        // a bare .onnx file has nothing to fall back to: refused, naming the file and what to do
        Path file = home.resolve("model.onnx");
        OnnxCheck.use(OnnxCheck.result(OnnxCheck.report(options(OnnxStandIns.QuickOnnxRuntime.class), false)));
        try (var t = org.convkit.eval.TorchClassifier.open(ModelSource.checkpoint(ck),
                new org.convkit.eval.TorchClassifier.Options("cpu", null, 8))) {
            OnnxExport.write(t, file, OnnxExport.Options.defaults());
        }
        OnnxCheck.use(p);
        ConvkitException e = assertThrows(ConvkitException.class,
                () -> Classifiers.open(file, Classifiers.Engine.ONNX, Classifiers.Options.defaults()));
        assertTrue(e.getMessage().startsWith(file + ": ONNX Runtime " + OnnxRuntimeLever.version()
                + " did not pass the engine self-check on this machine (failed: "), e.getMessage());
        assertTrue(e.getMessage().contains("CONVKIT_ENGINE=onnxruntime") && e.getMessage().contains("--engine torch"),
                e.getMessage());
        assertThrows(ConvkitException.class, () -> OnnxClassifier.open(file, OnnxClassifier.Options.defaults()),
                "the library's own entry point asks too");

        // forced: it runs, with a loud warning
        System.setProperty(EngineCheck.PROPERTY, "onnxruntime");
        try {
            try (Classifier c = stderr(said, () -> Classifiers.open(file, Classifiers.Engine.ONNX,
                    Classifiers.Options.defaults()))) {
                assertTrue(c.engine().startsWith("ONNX Runtime"), c.engine());
            }
            assertTrue(said[0].contains("WARNING: -Dconvkit.engine forces onnxruntime, which FAILED the engine self-check"
                    + " on this machine (failed: "), said[0]);
        } finally {
            System.clearProperty(EngineCheck.PROPERTY);
        }
    }

    @Test
    void anOnnxRuntimeThatKillsItsProcessIsCrashedAndThisProcessGoesOn() throws IOException {
        PathResult p = OnnxCheck.result(OnnxCheck.report(options(OnnxStandIns.SegvOnnxRuntime.class), false));
        assertEquals(Status.CRASHED, p.status(), p.summary());
        assertTrue(p.message().contains("SIGSEGV") && p.message().contains("stand-in conv 3x3"), p.message());
        OnnxCheck.use(p);
        assertTrue(!OnnxCheck.usable());
        assertTrue(OnnxCheck.fallback().startsWith("engine: onnxruntime crashed: the JVM crashed: SIGSEGV"),
                OnnxCheck.fallback());
    }

    private static Path checkpoint(Path dir) {
        Runtime.init();
        try (NDManager m = NDManager.newBaseManager()) {
            m.getEngine().setRandomSeed(3);
            ConvNet net = Zoo.create("lenet", ModelOptions.defaults().withInput(1, 28, 28).withClasses(3)).initialize(m);
            Checkpoint.save(dir, net, ModelInfo.of(List.of("a", "b", "c"), new float[] {0.5f}, new float[] {0.2f}), null);
        }
        return dir;
    }

    /** Runs {@code f} with stderr (where slf4j-simple logs) captured into {@code said[0]}. */
    private static <T> T stderr(String[] said, java.util.function.Supplier<T> f) {
        PrintStream old = System.err;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            return f.get();
        } finally {
            System.setErr(old);
            said[0] = buf.toString(StandardCharsets.UTF_8);
            old.print(said[0]);
        }
    }
}
