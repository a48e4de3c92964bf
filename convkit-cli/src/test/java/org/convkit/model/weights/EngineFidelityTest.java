package org.convkit.model.weights;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.convkit.Needs;
import org.convkit.TestPaths;
import org.convkit.core.EngineSettings;
import org.convkit.model.engine.CheckReport;
import org.convkit.model.engine.EngineCheck;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The fidelity matrix: every zoo family on every engine path convkit can choose on this machine
 * (each layout that passed the self-check, with and without BatchNorm folding), against its
 * PyTorch reference: torchvision's models, and the d2l / homework / seed write-up models as their
 * PyTorch definitions (src/test/python/engine_fidelity.py, seed_networks.py). Each case (network x
 * path) runs in a JVM of its own ({@link FidelityRun}), so a native crash fails that case with its
 * output and the others still run.
 *
 * <p>Tolerances. Logits in evaluation mode: max |convkit - PyTorch| / max |PyTorch| at most 1e-4
 * (as {@link FidelityTest}). For rows with a training step (on each layout's path without folding:
 * folding only changes evaluation): the loss within 1e-4 relative, and every parameter's gradient
 * no further from PyTorch's float64 gradient than 10x PyTorch's own float32 distance (the farther of
 * its oneDNN kernels and its own, oneDNN off: convkit's native layout runs the latter) plus 1e-5 of
 * its norm ({@link FidelityRun.Reference}; the printed figure is that ratio, at most 1). A path
 * that failed the check is never run by convkit here, so it is left out, and said.
 *
 * <p>{@code -Dfidelity.rows=ID,...} runs only those rows. Budget: about 5 minutes of CI on 2 quiet
 * cores (a JVM start per case; PyTorch's files are made once and kept in target/).
 */
@Tag("integration")
class EngineFidelityTest {
    /** Relative to the largest |logit|, as FidelityTest. */
    static final double LOGITS = 1e-4;
    /** The worst tensor's gradient error over what {@link FidelityRun.Reference} allows it. */
    static final double GRADIENTS = 1;
    static final double LOSS = 1e-4;
    static final Path DATA = FidelityTest.DATA.resolve("engine");
    static final Path SCRIPT = TestPaths.python("engine_fidelity.py");

    /**
     * One zoo family in the matrix: a new network is one more line. {@code model} is the zoo's
     * name and the key of its reference in engine_fidelity.py (or seed_networks.py's NETS, whose
     * input and classes the row must repeat); {@code options} are convkit's model options, k=v;k=v.
     * Rows named NAME@224 use FidelityTest's torchvision files (224 pixels, 1000 classes).
     */
    record Row(String id, String model, String input, String options, boolean step) {
        @Override
        public String toString() {
            return id;
        }

        boolean torchvision224() {
            return id.endsWith("@224");
        }

        /** What engine_fidelity.py is given for this row. */
        List<String> args() {
            return List.of(id, model, input, options, step ? "1" : "0");
        }

        Path prefix() {
            return torchvision224() ? FidelityTest.DATA.resolve(model) : DATA.resolve(id);
        }
    }

    static final List<Row> ROWS = List.of(
            //      id                  zoo model          input        options                                        step
            new Row("lenet",            "lenet",           "1x28x28",   "classes=10",                                  true),
            new Row("lenet-bn",         "lenet-bn",        "1x28x28",   "classes=10",                                  true),
            new Row("alexnet-d2l",      "alexnet-d2l",     "1x96x96",   "classes=10;width=0.25",                       true),
            new Row("vgg",              "vgg",             "1x64x64",   "classes=10;arch=1x16,1x32,2x64,2x128,2x128;width=0.25", true),
            new Row("nin",              "nin",             "1x96x96",   "classes=10;width=0.25",                       true),
            new Row("googlenet-d2l",    "googlenet-d2l",   "1x96x96",   "classes=10;width=0.25",                       true),
            new Row("simplecnn",        "simplecnn",       "3x64x64",   "classes=11;arch=16,32,64;fc=64",              true),
            new Row("googlenet",        "googlenet",       "3x64x64",   "classes=10",                                  true),
            new Row("resnet18",         "resnet18",        "3x64x64",   "classes=10",                                  true),
            new Row("resnet50",         "resnet50",        "3x128x128",  "classes=10",                                  true),
            new Row("resnet9",          "resnet9",         "3x32x32",   "classes=10;width=0.5",                        true),
            new Row("resnet9-photo",    "resnet9",         "3x64x64",   "classes=10;width=0.25;stem=stride2;pool=concat", true),
            new Row("resnet18-d2l",     "resnet18-d2l",    "1x96x96",   "classes=10",                                  true),
            new Row("svhn-cnn",         "svhn-cnn",        "3x64x128",  "classes=11",                                  true),
            new Row("svhn-resnet18",    "svhn-resnet18",   "3x64x128",  "classes=11",                                  true),
            new Row("resnet18@224",     "resnet18",        "3x224x224", "classes=1000",                                false),
            new Row("resnet50@224",     "resnet50",        "3x224x224", "classes=1000",                                false),
            new Row("vgg11_bn@224",     "vgg11_bn",        "3x224x224", "classes=1000",                                false),
            new Row("alexnet@224",      "alexnet",         "3x224x224", "classes=1000",                                false),
            new Row("googlenet@224",    "googlenet",       "3x224x224", "classes=1000",                                false));

    static List<EngineSettings> paths;

    /** All rows, or those named in {@code -Dfidelity.rows=lenet,resnet50@224} (while working on one). */
    static Stream<Row> rows() {
        String only = System.getProperty("fidelity.rows");
        return ROWS.stream().filter(r -> only == null || List.of(only.split(",")).contains(r.id()));
    }

    @BeforeAll
    static void referencesAndPaths() throws Exception {
        Needs.torch();
        FidelityTest.torchvisionFiles();
        List<String> cmd = new ArrayList<>(List.of("nice", Needs.PYTHON.toString(), SCRIPT.toString(), DATA.toString()));
        List<Row> made = new ArrayList<>();
        for (Row r : rows().toList()) {
            // made again when the scripts or the row changed
            Path y = Path.of(r.prefix() + ".y.npy");
            Path spec = Path.of(r.prefix() + ".row");
            if (!r.torchvision224() && (!Files.exists(y) || older(y, SCRIPT) || older(y, TestPaths.python("seed_networks.py"))
                    || !Files.exists(spec) || !Files.readString(spec).equals(r.args().toString()))) {
                cmd.addAll(r.args());
                made.add(r);
            }
        }
        if (!made.isEmpty()) {
            assertEquals(0, FidelityTest.run(cmd), "the PyTorch side failed: " + cmd);
            for (Row r : made) {
                Files.writeString(Path.of(r.prefix() + ".row"), r.args().toString());
            }
        }
        EngineCheck.Options o = EngineCheck.Options.defaults();
        CheckReport report = EngineCheck.report(o, false);
        paths = EngineCheck.paths(report, EngineCheck.levers(o));
        System.out.println("engine paths checked here: " + paths.stream().map(EngineSettings::spec).toList());
        for (CheckReport.PathResult p : report.paths()) {
            if (!p.passed()) {
                System.out.println("left out: " + p.path() + " " + p.summary() + " (convkit never runs it on this machine)");
            }
        }
        assertTrue(!paths.isEmpty(), "no engine path passed the self-check here: " + report.summary());
    }

    private static boolean older(Path a, Path b) throws Exception {
        return Files.getLastModifiedTime(a).compareTo(Files.getLastModifiedTime(b)) < 0;
    }

    /** One case: a row on one engine path. */
    record Case(Row row, EngineSettings path) {
        @Override
        public String toString() {
            return row.id() + " on " + path.spec();
        }

        /**
         * Whether this case also compares a training step: on the path training runs
         * ({@link EngineSettings#forTraining}: NCHW, without folding, which only changes evaluation).
         */
        boolean step() {
            return row.step() && !path.foldBatchNorm() && path.equals(path.forTraining());
        }
    }

    /** Every row on every path the self-check passed here. */
    static Stream<Case> cases() {
        return rows().flatMap(r -> paths.stream().map(p -> new Case(r, p)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void sameAsPyTorch(Case c) throws Exception {
        Row row = c.row();
        EngineSettings s = c.path();
        Files.createDirectories(DATA);
        Path log = DATA.resolve(row.id() + "." + s.spec() + ".convkit.log");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xss4m", "-cp", System.getProperty("java.class.path"), "-Dai.djl.offline=true",
                "-Dai.djl.pytorch.num_interop_threads=1", "-Dai.djl.pytorch.num_threads=2", FidelityRun.class.getName(),
                row.model(), row.input(), row.options(), row.prefix().toString(), c.step() ? "1" : "0", s.spec()));
        long start = System.nanoTime();
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        boolean ended = p.waitFor(15, TimeUnit.MINUTES);
        if (!ended) {
            p.destroyForcibly();
        }
        String out = Files.readString(log, StandardCharsets.UTF_8);
        Map<String, Double> results = new LinkedHashMap<>();
        for (String line : out.split("\n")) {
            if (line.startsWith("RESULT ")) {
                Map<String, String> f = new LinkedHashMap<>();
                for (String kv : line.substring(7).split(" ")) {
                    String[] a = kv.split("=", 2);
                    f.put(a[0], a[1]);
                }
                results.put(f.get("what"), Double.parseDouble(f.get("err")));
                System.out.printf(Locale.ROOT, "fidelity %-14s %-24s %-7s %.2e %s%n", row.id(), f.get("path"),
                        f.get("what"), Double.parseDouble(f.get("err")), f.getOrDefault("detail", ""));
            }
        }
        System.out.printf(Locale.ROOT, "fidelity %-14s %-24s %.1f s%n", row.id(), s.spec(), (System.nanoTime() - start) / 1e9);
        if (!ended || p.exitValue() != 0) {
            fail(c + ": the convkit side " + (ended ? "exited with " + p.exitValue() : "did not finish in 15 minutes")
                    + " after " + results.keySet() + ":\n" + tail(out));
        }
        Double logits = results.get("logits");
        assertTrue(logits != null, c + ": no logits\n" + tail(out));
        assertTrue(logits <= LOGITS, c + ": logits off by " + logits + " of the largest (limit " + LOGITS + ")");
        if (c.step()) {
            assertTrue(results.containsKey("loss") && results.containsKey("grads"), c + ": no training step\n" + tail(out));
            assertTrue(results.get("loss") <= LOSS, c + ": loss off by " + results.get("loss"));
            assertTrue(results.get("grads") <= GRADIENTS, c + ": a gradient off by " + results.get("grads")
                    + " of what is allowed (FidelityRun.Reference)");
        }
    }

    private static String tail(String out) {
        String[] lines = out.split("\n");
        return String.join("\n", java.util.Arrays.copyOfRange(lines, Math.max(0, lines.length - 40), lines.length));
    }
}
