package org.convkit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.convkit.core.Json;
import org.convkit.core.Npy;
import org.convkit.core.Runtime;
import org.convkit.model.ModelOptions;
import org.convkit.model.Zoo;
import org.convkit.model.engine.EngineCheck;
import org.convkit.model.engine.Levers;
import org.convkit.model.engine.StandIns;
import org.convkit.model.weights.Checkpoint;
import org.convkit.model.weights.ModelInfo;
import org.convkit.onnx.OnnxCheck;
import org.convkit.onnx.OnnxRuntimeLever;
import org.convkit.onnx.OnnxStandIns;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code convkit doctor} as a user runs it, in a process of its own: the machine, the engine, and
 * the self-check's answer for every lever with its measured error. Levers that fail (stand-ins for
 * libtorch's channels-last on the AMD VM of issue 9: a wrong result, a native crash) are turned off
 * and said in one line, by doctor and by any command that builds a network.
 */
@Tag("integration")
class DoctorCommandTest {
    @TempDir
    Path home;

    record Run(int exit, String out) {}

    /** {@code convkit ARGS} in a child JVM with the test class path, {@code CONVKIT_HOME} and JVM flags given. */
    static Run convkit(Path home, List<String> jvm, Map<String, String> env, String... args)
            throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xss4m", "-cp", System.getProperty("java.class.path"), "-Dai.djl.offline=true",
                "-Dai.djl.pytorch.num_interop_threads=1", "-Dai.djl.pytorch.num_threads=2"));
        cmd.addAll(jvm);
        cmd.add("org.convkit.cli.Main");
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        if (home != null) {
            pb.environment().put("CONVKIT_HOME", home.toString());
        }
        pb.environment().remove("CONVKIT_ENGINE");
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(10, TimeUnit.MINUTES), "convkit " + String.join(" ", args) + " did not end");
        System.out.println("--- convkit " + String.join(" ", args) + " " + jvm + " " + env + " exit " + p.exitValue()
                + "\n" + out);
        return new Run(p.exitValue(), out);
    }

    static String levers(Class<?>... c) {
        return "-Dconvkit.engine.levers=" + String.join(",", java.util.Arrays.stream(c).map(Class::getName).toList());
    }

    /** The real check (this machine's cached result, or checked now): each default lever named with its error. */
    @Test
    void namesEveryLeverWithItsMeasuredError() throws Exception {
        Run text = convkit(null, List.of(), Map.of(), "doctor");
        assertEquals(0, text.exit(), "a correct path exists here (NCHW or native at least)");
        for (String section : List.of("machine", "engine", "engine self-check", "settings", "what to do")) {
            assertTrue(text.out().lines().anyMatch(l -> l.startsWith(section)), "section " + section);
        }
        for (String row : List.of("cpu", "isa", "cores", "caches", "memory", "versions", "oneDNN", "allocator", "jpeg")) {
            assertTrue(Pattern.compile("(?m)^  " + row + " +\\S").matcher(text.out()).find(), "row " + row);
        }
        assertTrue(text.out().contains("libtorch 2.7.1") && text.out().contains("DJL 0.36.0"), "versions");
        // every layout lever, and BatchNorm folding on each layout that passed
        for (String lever : List.of("channels-last", "nchw", "native")) {
            assertTrue(Pattern.compile("(?m)^  " + Pattern.quote(lever) + " +(passed|failed|crashed|hung)")
                    .matcher(text.out()).find(), lever + " has a line");
        }
        // training runs nchw, or native where oneDNN's nchw failed (docs/engine.md): one of them
        // passes here, with its error measured, and folding is checked on it
        String trained = Pattern.compile("(?m)^  nchw +passed ").matcher(text.out()).find() ? "nchw" : "native";
        assertTrue(Pattern.compile("(?m)^  " + trained + " +passed +max rel error \\d\\.\\de-\\d\\d").matcher(text.out())
                .find(), "the layout training runs passes with its error measured:\n" + text.out());
        assertTrue(Pattern.compile("(?m)^  bn-fold@" + trained + " +passed +max rel error \\d\\.\\de-\\d\\d")
                .matcher(text.out()).find(), "folding checked on " + trained);
        // each lever says what it was checked for: channels-last serves evaluation only, NCHW and native training too
        assertTrue(Pattern.compile("(?m)^  channels-last +\\S.*checked for evaluation and prediction \\(forward only\\)$")
                .matcher(text.out()).find(), "channels-last checked for evaluation:\n" + text.out());
        for (String lever : List.of("nchw", "native")) {
            assertTrue(Pattern.compile("(?m)^  " + lever + " +\\S.*checked for training and evaluation \\(forward and"
                    + " backward\\)$").matcher(text.out()).find(), lever + " checked for training:\n" + text.out());
        }

        Run json = convkit(null, List.of(), Map.of(), "doctor", "--json");
        assertEquals(0, json.exit());
        JsonNode r = Json.mapper().readTree(json.out().substring(json.out().indexOf("{\n")));
        assertTrue(r.get("correctPathFound").asBoolean());
        assertTrue(r.at("/machine/logicalCpus").asInt() >= 1);
        assertEquals("2.7.1", r.at("/engine/libtorch").asText());
        assertTrue(r.at("/engine/onednn/version").asText().startsWith("oneDNN v"), r.at("/engine/onednn").toString());
        List<String> paths = new ArrayList<>();
        for (JsonNode p : r.at("/check/paths")) {
            paths.add(p.get("path").asText());
            if (p.get("status").asText().equals("PASSED")) {
                double worst = 0;
                for (JsonNode q : p.get("probes")) {
                    worst = Math.max(worst, q.get("error").asDouble());
                    assertTrue(q.get("error").asDouble() <= q.get("tolerance").asDouble(), q.toString());
                }
                // float32 paths within 1e-4; bf16 above it (bfloat16 really ran) and within its own tolerance
                boolean bf16 = p.get("path").asText().startsWith("bf16@");
                assertTrue(bf16 ? worst > 1e-4 && worst < 3e-2 : worst > 0 && worst < 1e-4,
                        p.get("path") + ": a measured error, " + worst);
            }
        }
        assertTrue(paths.containsAll(List.of("channels-last", "nchw", "native", "bn-fold@" + trained)), paths.toString());
        assertFalse(r.get("settings").asText().isEmpty());
    }

    /** ONNX Runtime (--engine onnx): its own row, checked against the same float64 reference, in text and JSON. */
    @Test
    void onnxRuntimeHasItsRowWithItsMeasuredError() throws Exception {
        Run text = convkit(null, List.of(), Map.of(), "doctor");
        Run json = convkit(null, List.of(), Map.of(), "doctor", "--json");
        JsonNode r = Json.mapper().readTree(json.out().substring(json.out().indexOf("{\n")));
        assertTrue(Pattern.compile("(?m)^  onnxruntime +passed +max rel error \\d\\.\\de-\\d\\d +" + (org.convkit.model.engine.Probes.CONVOLUTIONS.size() + 4) + " comparisons .*checked for"
                + " prediction with --engine onnx \\(forward only\\)$").matcher(text.out()).find(), text.out());
        assertTrue(OnnxRuntimeLever.version().matches("1\\.\\d+\\.\\d+"), "the version is known: " + OnnxRuntimeLever.version());
        assertTrue(text.out().contains("  onnx           --engine onnx runs ONNX Runtime " + OnnxRuntimeLever.version()
                + " here (passed the check)"), text.out());
        assertTrue(text.out().contains("  auto           predict, serve and the spark jobs without --engine run ONNX Runtime "
                + OnnxRuntimeLever.version() + " here (libtorch for --tta, --precision bf16, --device cuda)"), text.out());
        assertTrue(r.get("auto").asText().contains("run ONNX Runtime"), r.get("auto").asText());
        JsonNode ort = r.at("/onnxCheck/paths/0");
        assertEquals("onnxruntime", ort.get("path").asText(), r.get("onnxCheck").toString());
        assertEquals("PASSED", ort.get("status").asText());
        assertEquals(OnnxRuntimeLever.version(), r.at("/onnxCheck/fingerprint/onnxruntime").asText());
        for (JsonNode q : ort.get("probes")) {
            assertTrue(q.get("error").asDouble() > 0 && q.get("error").asDouble() < 1e-4, q.toString());
        }
    }

    /**
     * ONNX Runtime computing wrong results (a stand-in 1e-2 off, real ONNX Runtime underneath):
     * doctor says it failed; predict with --engine onnx runs a checkpoint on libtorch, saying so in
     * one line, refuses a bare .onnx file naming it, and runs it when forced, loudly.
     */
    @Test
    void aFailingOnnxRuntimeIsSaidAndPredictFallsBackOrRefuses() throws Exception {
        List<String> jvm = List.of("-D" + OnnxCheck.LEVER_PROPERTY + "=" + OnnxStandIns.WrongOnnxRuntime.class.getName());
        Run doctor = convkit(home, jvm, Map.of(), "doctor");
        assertEquals(0, doctor.exit(), "libtorch's paths passed: " + doctor.out());
        assertTrue(Pattern.compile("(?m)^  onnxruntime +failed +max rel error 1\\.0e-02 +1 comparisons").matcher(doctor.out())
                .find(), doctor.out());
        assertTrue(doctor.out().contains("--engine onnx runs libtorch here for a checkpoint or run folder and refuses a"
                + " bare .onnx file: ONNX Runtime " + OnnxRuntimeLever.version() + " failed: stand-in conv"), doctor.out());
        assertTrue(doctor.out().contains("  auto           predict, serve and the spark jobs without --engine run libtorch"
                + " here: ONNX Runtime " + OnnxRuntimeLever.version() + " failed: stand-in conv"), doctor.out());

        Path ck = home.resolve("ck");
        Runtime.init();
        try (NDManager m = NDManager.newBaseManager()) {
            m.getEngine().setRandomSeed(5);
            Checkpoint.save(ck, Zoo.create("lenet", ModelOptions.defaults().withInput(1, 28, 28).withClasses(3)).initialize(m),
                    ModelInfo.of(List.of("a", "b", "c"), new float[] {0.5f}, new float[] {0.2f}), null);
        }
        Path img = home.resolve("img.png");
        BufferedImage gray = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
        for (int i = 0; i < 28; i++) {
            gray.getRaster().setSample(i, i, 0, 255);
        }
        ImageIO.write(gray, "png", img.toFile());

        Run run = convkit(home, jvm, Map.of(), "predict", "--engine", "onnx", "--checkpoint", ck.toString(), "--input",
                img.toString());
        assertEquals(0, run.exit(), run.out());
        assertFalse(run.out().contains("checking the engine paths"), "doctor's result was used: " + run.out());
        List<String> said = run.out().lines().filter(l -> l.startsWith("WARN engine: onnxruntime")).toList();
        assertEquals(1, said.size(), run.out());
        assertTrue(said.get(0).startsWith("WARN engine: onnxruntime failed: stand-in conv")
                && said.get(0).endsWith("-> running libtorch (convkit doctor for details)"), said.get(0));

        Path file = home.resolve("lenet.onnx");
        Run export = convkit(home, jvm, Map.of(), "export", "--checkpoint", ck.toString(), "--format", "onnx", "--out",
                file.toString());
        assertEquals(0, export.exit(), "the export compares this model in ONNX Runtime with libtorch itself: " + export.out());
        String[] bare = {"predict", "--engine", "onnx", "--checkpoint", file.toString(), "--input", img.toString()};
        Run refused = convkit(home, jvm, Map.of(), bare);
        assertEquals(1, refused.exit(), refused.out());
        assertTrue(refused.out().contains(file + ": ONNX Runtime " + OnnxRuntimeLever.version() + " did not pass the engine"
                + " self-check on this machine (failed: stand-in conv"), refused.out());
        assertTrue(refused.out().contains("CONVKIT_ENGINE=onnxruntime"), refused.out());

        Run forced = convkit(home, jvm, Map.of("CONVKIT_ENGINE", "onnxruntime"), bare);
        assertEquals(0, forced.exit(), forced.out());
        assertTrue(forced.out().contains("WARNING: CONVKIT_ENGINE forces onnxruntime, which FAILED the engine self-check"
                + " on this machine (failed: stand-in conv"), forced.out());
    }

    /** A lever computing wrong results (1e-2 off) is turned off, and doctor and a command say so in one line. */
    @Test
    void aWrongLeverIsTurnedOffAndSaid() throws Exception {
        List<String> jvm = List.of(levers(StandIns.WrongChannelsLast.class, StandIns.QuickNchw.class,
                Levers.BatchNormFold.class));
        Run doctor = convkit(home, jvm, Map.of(), "doctor");
        assertEquals(0, doctor.exit());
        assertTrue(Pattern.compile("(?m)^  channels-last +failed +max rel error 1\\.0e-02").matcher(doctor.out()).find(),
                "the wrong lever's error is measured");
        assertTrue(doctor.out().contains("engine: channels-last failed: stand-in conv"), "said in one line");
        assertTrue(doctor.out().contains("-> running nchw, BatchNorm folded"), "and what runs instead");

        // any command that runs a network reads the cached result and says the same line once
        Path x = home.resolve("x.npy");
        Runtime.init();
        try (NDManager m = NDManager.newBaseManager()) {
            Npy.write(x, m.randomNormal(new Shape(2, 1, 28, 28)));
        }
        String[] forward = {"forward", "--model", "lenet", "--input", x.toString(), "--out", home.resolve("y.npy").toString()};
        Run run = convkit(home, jvm, Map.of(), forward);
        assertEquals(0, run.exit(), run.out());
        assertEquals(1, run.out().lines().filter(l -> l.startsWith("WARN engine: channels-last failed")).count(),
                run.out());
        assertFalse(run.out().contains("checking the engine paths"), "the cached result was used");

        // forcing the failed lever runs it, with a loud warning
        Run forced = convkit(home, jvm, Map.of("CONVKIT_ENGINE", "channels-last"), forward);
        assertEquals(0, forced.exit(), forced.out());
        assertTrue(forced.out().contains("WARNING: CONVKIT_ENGINE forces channels-last, which FAILED the engine"
                + " self-check on this machine"), forced.out());

        // no-check skips the check (and its message)
        Run unchecked = convkit(home, jvm, Map.of("CONVKIT_ENGINE", "nchw,no-check"), forward);
        assertEquals(0, unchecked.exit(), unchecked.out());
        assertFalse(unchecked.out().contains("engine: channels-last failed"), unchecked.out());

        // no CUDA in this libtorch: --device cuda fails, clearly, instead of running on the CPU
        List<String> gpu = new ArrayList<>(List.of(forward));
        gpu.addAll(List.of("--device", "gpu"));
        Run noGpu = convkit(home, jvm, Map.of(), gpu.toArray(String[]::new));
        assertEquals(1, noGpu.exit(), noGpu.out());
        assertTrue(noGpu.out().contains("--device gpu: this libtorch has no CUDA support or no GPU is visible"), noGpu.out());
    }

    /**
     * A lever whose child process dies of a native crash is an answer: turned off, said; convkit lives
     * on. bfloat16 crashing too: {@code --precision bf16} then runs fp32, saying why in one line.
     */
    @Test
    void aCrashingLeverIsTurnedOffAndSaid() throws Exception {
        List<String> jvm = List.of(levers(StandIns.SegvChannelsLast.class, StandIns.QuickNchw.class, StandIns.SegvBf16.class));
        Run doctor = convkit(home, jvm, Map.of(), "doctor", "--json");
        assertEquals(0, doctor.exit());
        assertTrue(doctor.out().contains("engine: channels-last crashed: the JVM crashed: SIGSEGV"), doctor.out());
        JsonNode r = Json.mapper().readTree(doctor.out().substring(doctor.out().indexOf("{\n")));
        assertEquals("CRASHED", r.at("/check/paths/0/status").asText());
        assertEquals("nchw,no-fold,free,fp32", r.get("settings").asText());
        boolean bf16Cpu = EngineCheck.cpuHasBf16();
        assertEquals(bf16Cpu ? "CRASHED" : "NOT_RUN", r.at("/check/paths/2/status").asText(), r.at("/check/paths/2").toString());
        assertEquals("bf16@nchw", r.at("/check/paths/2/path").asText());
        assertTrue(r.get("bf16").asText().startsWith("--precision bf16 runs fp32 here"), r.get("bf16").asText());

        Path x = home.resolve("x.npy");
        Runtime.init();
        try (NDManager m = NDManager.newBaseManager()) {
            Npy.write(x, m.randomNormal(new Shape(2, 1, 28, 28)));
        }
        Run run = convkit(home, jvm, Map.of(), "forward", "--model", "lenet", "--input", x.toString(), "--out",
                home.resolve("y.npy").toString(), "--precision", "bf16");
        assertEquals(0, run.exit(), run.out());
        String said = "WARN engine: --precision bf16 asked for, but "
                + (bf16Cpu ? "bf16 on nchw crashed: the JVM crashed: SIGSEGV" : "this CPU has no bfloat16 instructions");
        assertEquals(1, run.out().lines().filter(l -> l.startsWith(said)).count(), run.out());
        assertTrue(run.out().lines().filter(l -> l.contains("bf16")).count() == 1, "said once, nothing else: " + run.out());
        assertTrue(Files.isRegularFile(home.resolve("y.npy")), "and ran, in fp32");
    }

    /** No path passed: doctor exits 1 and says results may be wrong; the result is cached until --recheck. */
    @Test
    void noCorrectPathExitsNonZero() throws Exception {
        List<String> jvm = List.of(levers(StandIns.WrongNchw.class));
        Run doctor = convkit(home, jvm, Map.of(), "doctor");
        assertEquals(1, doctor.exit());
        assertTrue(doctor.out().contains("no engine path passed the self-check on this machine"), doctor.out());
        assertTrue(doctor.out().contains("checking the engine paths"), doctor.out());

        Run cached = convkit(home, jvm, Map.of(), "doctor");
        assertEquals(1, cached.exit());
        assertFalse(cached.out().contains("checking the engine paths"), "read from the cache: " + cached.out());

        Run recheck = convkit(home, jvm, Map.of(), "doctor", "--recheck");
        assertEquals(1, recheck.exit());
        assertTrue(recheck.out().contains("checking the engine paths"), "--recheck checks again: " + recheck.out());
    }
}
