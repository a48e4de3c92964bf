package org.convkit.cli;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.convkit.core.EngineSettings;
import org.convkit.core.Json;
import org.convkit.core.Runtime;
import org.convkit.data.OpenOptions;
import org.convkit.data.fetch.NamedDatasets;
import org.convkit.data.image.Decoder;
import org.convkit.model.engine.CheckReport;
import org.convkit.model.engine.EngineCheck;
import org.convkit.model.engine.Lever;
import org.convkit.model.engine.Machine;
import org.convkit.model.engine.OneDnn;
import org.convkit.onnx.Classifiers;
import org.convkit.onnx.OnnxCheck;
import org.convkit.onnx.OnnxRuntimeLever;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "doctor", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"What convkit finds on this machine and which engine path it runs: the CPU, its instruction"
                + " sets and caches as reported, memory; DJL, libtorch and oneDNN; the allocator and the JPEG decoder;"
                + " the datasets it finds; the engine self-check's result for every path, ONNX Runtime's too (max"
                + " relative error against float64, crash or not) and the settings chosen.",
            "Exit status 1 when no engine path passed the check. See docs/engine.md."})
final class DoctorCommand implements Callable<Integer> {
    @Option(names = "--json", description = "Print JSON instead of text.")
    boolean json;

    @Option(names = "--recheck", description = "Discard this machine's cached self-check result and check again.")
    boolean recheck;

    /** What {@code --json} prints. */
    record Report(Machine machine, Map<String, Object> engine, Map<String, Object> allocator, String jpegDecoder,
            Map<String, String> datasets, CheckReport check, String forced, String settings, String describe,
            String fallback, List<String> warnings, boolean correctPathFound, List<String> advice, String bf16,
            CheckReport onnxCheck, String onnx, String auto) {}

    @Override
    public Integer call() throws Exception {
        Engine engine = Runtime.init();
        EngineCheck.Options options = EngineCheck.Options.defaults();
        CheckReport check = EngineCheck.report(options, recheck);
        EngineSettings.Spec forced = EngineCheck.forced();
        EngineCheck.Choice choice = EngineCheck.choose(check, forced, EngineCheck.levers(options));
        // ONNX Runtime (--engine onnx): the same check and cache, its own lever and file (OnnxCheck)
        CheckReport onnxCheck = OnnxCheck.report(OnnxCheck.options(), recheck);

        Map<String, Object> eng = new LinkedHashMap<>();
        eng.put("djl", Engine.getDjlVersion());
        eng.put("libtorch", engine.getVersion());
        String v = Main.class.getPackage().getImplementationVersion();
        eng.put("convkit", v == null ? "dev" : v);
        eng.put("threads", JniUtils.getNumThreads());
        eng.put("interopThreads", JniUtils.getNumInteropThreads());
        eng.put("gpus", engine.getGpuCount());
        eng.put("onednn", OneDnn.ask(Duration.ofSeconds(120)));
        eng.put("env", check.fingerprint().getOrDefault("env", Map.of()));
        Report r = new Report(Machine.current(), eng, allocator(), jpeg(), datasets(), check, forced.toString(),
                choice.settings().spec(), choice.settings().describe(), choice.fallback(), choice.warnings(),
                !choice.noCorrectPath(), advice(choice, check, OnnxCheck.result(onnxCheck)),
                bf16(check, forced, EngineCheck.levers(options)), onnxCheck, onnx(OnnxCheck.result(onnxCheck), forced),
                auto(OnnxCheck.result(onnxCheck), forced));
        if (json) {
            System.out.println(Json.prettyString(r));
        } else {
            print(r, options);
        }
        return r.correctPathFound() ? 0 : 1;
    }

    private static void print(Report r, EngineCheck.Options options) {
        Machine m = r.machine();
        System.out.println("machine");
        row("cpu", m.cpuModel() + (m.vendor().isEmpty() ? "" : " (" + m.vendor() + (m.cpuId().isEmpty() ? "" : ", "
                + m.cpuId()) + ")"));
        row("isa", String.join(" ", m.isa()));
        row("cores", m.logicalCpus() + " usable" + (m.physicalCores() > 0 ? ", " + m.physicalCores() + " physical" : ""));
        row("caches", m.caches().isEmpty() ? "none reported by the kernel"
                : m.caches().stream().map(Machine.Cache::toString).collect(Collectors.joining("; ")));
        row("getconf", m.getconf().isEmpty() ? "not available" : m.getconf().entrySet().stream()
                .filter(e -> e.getKey().endsWith("_SIZE") || e.getKey().endsWith("_ASSOC"))
                .map(e -> e.getKey().replace("_CACHE", "").toLowerCase(Locale.ROOT) + "=" + (e.getValue().isEmpty() ? "?" : e.getValue()))
                .collect(Collectors.joining(" ")));
        row("memory", String.format(Locale.ROOT, "%.1f GiB (%.1f GiB available)", m.memTotalBytes() / 1073741824.0,
                m.memAvailableBytes() / 1073741824.0));
        row("os", m.os());
        Map<String, Object> e = r.engine();
        OneDnn d = (OneDnn) e.get("onednn");
        System.out.println("engine");
        row("versions", "convkit " + e.get("convkit") + ", DJL " + e.get("djl") + ", libtorch " + e.get("libtorch"));
        row("oneDNN", d.version() + "; " + d.runtime() + ", " + d.threads() + " threads; ISA: " + d.isa());
        row("threads", e.get("threads") + " intra-op, " + e.get("interopThreads") + " inter-op");
        row("gpu", (int) e.get("gpus") == 0 ? "none (this libtorch is the CPU build, or no GPU is visible: --device cuda fails)"
                : e.get("gpus") + " visible (--device cuda:N; the self-check covers the CPU paths only)");
        @SuppressWarnings("unchecked")
        Map<String, String> env = (Map<String, String>) e.get("env");
        row("env", env.isEmpty() ? "(no ONEDNN_/DNNL_/OMP_/MKL_/... variables set)"
                : env.entrySet().stream().map(x -> x.getKey() + "=" + x.getValue()).collect(Collectors.joining(" ")));
        row("allocator", (String) r.allocator().get("description"));
        row("jpeg", r.jpegDecoder());
        System.out.println("datasets");
        r.datasets().forEach(DoctorCommand::row);
        CheckReport c = r.check();
        System.out.printf(Locale.ROOT, "engine self-check (%s, %.1f s; %s)%n", c.checkedAt(), c.seconds(),
                options.cacheDir().resolve(c.key() + ".json"));
        List<CheckReport.PathResult> paths = new java.util.ArrayList<>(c.paths());
        paths.addAll(r.onnxCheck().paths()); // checked and cached the same way, in a file of its own
        for (CheckReport.PathResult p : paths) {
            String err = Double.isNaN(p.maxRelativeError()) ? "-" : String.format(Locale.ROOT, "%.1e", p.maxRelativeError());
            System.out.printf(Locale.ROOT, "  %-24s %-8s max rel error %-8s %3d comparisons  %5.1f s  checked for %s%s%n",
                    p.path(), p.status().name().toLowerCase(Locale.ROOT).replace('_', ' '), err, p.probes().size(), p.seconds(),
                    p.checkedFor() == null ? "?" : p.checkedFor(),
                    p.passed() ? "" : "\n      " + p.message());
        }
        System.out.println("settings");
        row("chosen", r.describe() + (r.forced().equals("auto") ? "" : " (forced: " + r.forced() + ")"));
        row("spec", r.settings() + "  (force with CONVKIT_ENGINE=... or -Dconvkit.engine=...)");
        row("bf16", r.bf16());
        row("onnx", r.onnx());
        row("auto", r.auto());
        if (r.fallback() != null) {
            System.out.println(r.fallback());
        }
        r.warnings().forEach(System.out::println);
        if (!r.correctPathFound()) {
            System.out.println("error: no engine path passed the self-check on this machine: convkit's results may be wrong here");
        }
        System.out.println("what to do");
        r.advice().forEach(a -> System.out.println("  " + a));
    }

    /** What {@code --precision bf16} does here: bfloat16 where it passed the check, else fp32 and why. */
    static String bf16(CheckReport check, EngineSettings.Spec forced, List<Lever> levers) {
        String eval = EngineCheck.whyNotBf16(check, forced, levers, false);
        String train = EngineCheck.whyNotBf16(check, forced, levers, true);
        if (eval == null && train == null) {
            return "--precision bf16 computes in bfloat16 here (passed the check)";
        }
        if (eval != null && train != null) {
            return "--precision bf16 runs fp32 here: " + (eval.equals(train) ? eval : eval + "; " + train);
        }
        return "--precision bf16 computes in bfloat16 in " + (eval == null ? "evaluation and prediction" : "training")
                + " only; fp32 in " + (eval == null ? "training: " + train : "evaluation and prediction: " + eval);
    }

    /** What {@code --engine onnx} does here: ONNX Runtime where it passed the check, else libtorch or a refusal. */
    static String onnx(CheckReport.PathResult r, EngineSettings.Spec forced) {
        String ort = "ONNX Runtime " + OnnxRuntimeLever.version();
        if (r != null && r.passed()) {
            return "--engine onnx runs " + ort + " here (passed the check)";
        }
        String why = ort + " " + (r == null ? "was not checked" : r.summary());
        if (forced.onnxRuntime()) {
            return "--engine onnx runs " + ort + " here because CONVKIT_ENGINE forces onnxruntime, but " + why
                    + ": results may be wrong";
        }
        return "--engine onnx runs libtorch here for a checkpoint or run folder and refuses a bare .onnx file: " + why
                + " (force with CONVKIT_ENGINE=onnxruntime)";
    }

    /**
     * What the default engine ({@code --engine auto}, {@link Classifiers#choose}) runs here for
     * forward-only CPU work without --tta or bf16: ONNX Runtime where it passed, else libtorch.
     */
    static String auto(CheckReport.PathResult r, EngineSettings.Spec forced) {
        String ort = "ONNX Runtime " + OnnxRuntimeLever.version();
        String lead = "predict, serve and the spark jobs without --engine run ";
        String user = Classifiers.userChoice(Classifiers.Options.defaults());
        if (user != null) {
            return lead + "libtorch here: " + user;
        }
        if (r != null && r.passed()) {
            return lead + ort + " here (libtorch for --tta, --precision bf16, --device cuda)";
        }
        if (forced.onnxRuntime()) {
            return lead + ort + " here because CONVKIT_ENGINE forces onnxruntime (results may be wrong)";
        }
        return lead + "libtorch here: " + ort + " " + (r == null ? "was not checked" : r.summary());
    }

    /** What the user should do about what was found (docs/engine.md says more). */
    static List<String> advice(EngineCheck.Choice choice, CheckReport check, CheckReport.PathResult onnx) {
        List<String> out = new java.util.ArrayList<>();
        if (onnx != null && !onnx.passed()) {
            out.add("ONNX Runtime did not pass here: run checkpoints or run folders rather than .onnx files (--engine"
                    + " onnx then runs libtorch), and report this output (convkit doctor --json) with the issue.");
        }
        if (choice.noCorrectPath()) {
            out.add("Do not trust convkit's numbers on this machine. Run 'convkit doctor --recheck' once; if no path"
                    + " passes again, report this output (convkit doctor --json) with the issue.");
            return out;
        }
        if (!choice.warnings().isEmpty()) {
            out.add("You force a path that did not pass here: unset CONVKIT_ENGINE / -Dconvkit.engine (or force only"
                    + " what passed) unless you are testing that path.");
        }
        boolean allPassed = check.paths().stream().allMatch(CheckReport.PathResult::passed);
        if (allPassed) {
            out.add("Nothing: every path passed; convkit runs the fastest.");
        } else {
            out.add("Nothing for correctness: convkit runs only paths that passed, and said which it turned off."
                    + " The cost is speed (see bench/RESULTS.md for what each lever is worth).");
            out.add("After a change of VM, CPU, libtorch or oneDNN/OpenMP variables the check runs again by itself;"
                    + " 'convkit doctor --recheck' checks again now.");
        }
        return out;
    }

    private static void row(String k, String v) {
        System.out.printf(Locale.ROOT, "  %-14s %s%n", k, v);
    }

    /** jemalloc when this process has it mapped (the launcher preloads it), else the C library's malloc. */
    static Map<String, Object> allocator() {
        Map<String, Object> a = new LinkedHashMap<>();
        String preload = System.getenv("LD_PRELOAD");
        String mapped = null;
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/maps"))) {
                if (line.contains("libjemalloc")) {
                    mapped = line.substring(line.lastIndexOf(' ') + 1);
                    break;
                }
            }
        } catch (IOException | RuntimeException ignored) {
            // not Linux: say what LD_PRELOAD says
        }
        a.put("jemalloc", mapped != null);
        a.put("path", mapped);
        a.put("LD_PRELOAD", preload);
        a.put("description", mapped != null ? "jemalloc preloaded (" + mapped + ")"
                : "the C library's malloc (jemalloc not preloaded: ./convkit preloads it when libjemalloc2 is installed)");
        return a;
    }

    static String jpeg() {
        return switch (Decoder.jpegBackend()) {
            case TURBOJPEG -> "libjpeg-turbo (libturbojpeg0)";
            case OPENCV -> "OpenCV (install libturbojpeg0 for 2-3x faster JPEG decoding)";
            default -> "ImageIO + TwelveMonkeys (pure Java)";
        };
    }

    /** Each named dataset: where it was found, or where it would be looked for. */
    static Map<String, String> datasets() {
        Map<String, String> out = new TreeMap<>();
        Path home = NamedDatasets.dataHome(OpenOptions.defaults());
        for (String name : NamedDatasets.NAMES) {
            Path p = NamedDatasets.locate(name, home);
            out.put(name, p != null ? p.toString() : "not found (looked in " + NamedDatasets.DEBIAN_DATASETS.resolve(name)
                    + " and " + home.resolve(name) + ")");
        }
        return out;
    }
}
