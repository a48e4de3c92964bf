package org.convkit.model.engine;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.convkit.core.ConvkitException;
import org.convkit.core.EngineSettings;
import org.convkit.core.Json;
import org.convkit.core.Runtime;
import org.convkit.model.engine.CheckReport.PathResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine self-check, and the engine settings this process runs networks with.
 *
 * <p>Before its first convolution on a machine, convkit checks every path it may take ({@link
 * Levers#DEFAULT}: NCHW, channels-last, BatchNorm folding and bfloat16 on each layout that passed) on the
 * computations the zoo runs ({@link Probes}), against a float64 reference computed on the same
 * machine, in a child process: a native crash or a hang there is an answer ("channels-last crashes
 * here"), not the end of the user's run. The result is cached per machine and engine (CPU model
 * and flags, caches as reported, thread count, libtorch / DJL / convkit versions, the environment
 * variables that change oneDNN's choices) under {@code $CONVKIT_HOME/engine-check/}, written under
 * a file lock so two processes do not check at once: seconds once, then a file read.
 *
 * <p>{@link #settings()} is the one call: the settings chosen once per process, from the paths
 * that passed, fastest first. When a faster path failed, it says so in one line. A user may force
 * items with {@code CONVKIT_ENGINE} or {@code -Dconvkit.engine} (see {@link EngineSettings.Spec});
 * a forced item that failed the check is used, with a loud warning. A caller that manages this
 * itself (a Spark executor given the driver's choice, a test fork given its parent's) hands its
 * settings to {@link #use} instead, or passes {@code no-check}.
 */
public final class EngineCheck {
    /** The system property that forces settings (wins over the environment variable). */
    public static final String PROPERTY = "convkit.engine";
    /** The environment variable that forces settings. */
    public static final String ENV = "CONVKIT_ENGINE";
    /** Seconds the check waits for an answer from its child process before calling it hung. */
    public static final String TIMEOUT_PROPERTY = "convkit.engine.check.timeout";
    /**
     * Lever classes to check instead of {@link Levers#DEFAULT} (comma-separated): for a speed path
     * under development, and for tests that stand in a crashing or wrong path.
     */
    public static final String LEVERS_PROPERTY = "convkit.engine.levers";
    /** Bump when the probes or their tolerances change: results checked before no longer count. */
    static final int CHECK_VERSION = 8; // 2: channels-last checked for forward passes only; 3: bf16; 4: no kinks in the training chain; 5: bf16 without effect; 6: the global max pool (resnet9); 7: a failure confirmed against a recomputed reference; 8: the native layout, ResNet 1x1s at small sizes, a conv to few channels, no gradient of the images
    /** The environment variables that change what libtorch, oneDNN and OpenMP compute or pick. */
    static final List<String> ENV_PREFIXES = List.of("ONEDNN_", "DNNL_", "MKLDNN_", "OMP_", "KMP_", "GOMP_", "MKL_",
            "ATEN_", "TORCH_", "PYTORCH_", "LD_PRELOAD");

    private static final Logger LOG = LoggerFactory.getLogger(EngineCheck.class);

    private static EngineSettings chosen;

    private EngineCheck() {}

    /**
     * Where results are cached, which levers are checked, how long a silent child may take.
     *
     * @param cacheDir {@code $CONVKIT_HOME/engine-check} by default
     */
    public record Options(Path cacheDir, List<Class<? extends Lever>> levers, Duration timeout) {
        /** The defaults, with {@link #LEVERS_PROPERTY} and {@link #TIMEOUT_PROPERTY} applied. */
        public static Options defaults() {
            return new Options(Runtime.home().resolve("engine-check"), leversFromProperty(),
                    Duration.ofSeconds(Long.getLong(TIMEOUT_PROPERTY, 180)));
        }

        public Options withCacheDir(Path dir) {
            return new Options(dir, levers, timeout);
        }

        public Options withLevers(List<Class<? extends Lever>> l) {
            return new Options(cacheDir, l, timeout);
        }

        public Options withTimeout(Duration t) {
            return new Options(cacheDir, levers, t);
        }
    }

    /**
     * The settings networks of this process run with unless given others: chosen once per process
     * by the self-check (run now if this machine has no cached result), with what the user forces.
     */
    public static synchronized EngineSettings settings() {
        if (chosen == null) {
            chosen = choose();
        }
        return chosen;
    }

    /** Runs this process with {@code settings}, without a self-check (the caller vouches for them). */
    public static synchronized void use(EngineSettings settings) {
        chosen = java.util.Objects.requireNonNull(settings, "settings");
    }

    /** What the user forces: {@code -Dconvkit.engine}, else {@code CONVKIT_ENGINE}, else nothing. */
    public static EngineSettings.Spec forced() {
        String p = System.getProperty(PROPERTY);
        if (p != null) {
            return EngineSettings.Spec.parse(p, "-D" + PROPERTY);
        }
        return EngineSettings.Spec.parse(System.getenv(ENV), ENV);
    }

    /** Where the forced settings came from, for messages ("CONVKIT_ENGINE", "-Dconvkit.engine"). */
    public static String forcedBy() {
        return System.getProperty(PROPERTY) != null ? "-D" + PROPERTY : ENV;
    }

    private static EngineSettings choose() {
        EngineSettings.Spec forced = forced();
        if (forced.noCheck()) {
            return available(forced.applyTo(EngineSettings.PLAIN));
        }
        Options options = Options.defaults();
        CheckReport report;
        try {
            report = report(options, false);
        } catch (IOException | RuntimeException e) {
            EngineSettings s = forced.applyTo(EngineSettings.PLAIN);
            LOG.warn("engine: the self-check could not run ({}); running {} (convkit doctor)", e.getMessage(), s.describe());
            return s;
        }
        Choice c = choose(report, forced, levers(options));
        c.log();
        return c.settings();
    }

    /** The settings a report allows, with what the user forced, and what to tell them. */
    public record Choice(EngineSettings settings, String fallback, List<String> warnings, boolean noCorrectPath) {
        /** Says it: the fallback in one line, each warning loudly. */
        public void log() {
            if (noCorrectPath) {
                LOG.error("engine: NO engine path passed the self-check on this machine: results may be wrong"
                        + " (convkit doctor shows what failed)");
            }
            if (fallback != null) {
                LOG.warn(fallback);
            }
            for (String w : warnings) {
                LOG.warn(w);
            }
        }
    }

    /**
     * Picks settings from a report: the layout forced, else the first layout (in the levers' order)
     * that passed; every option that is on by default and passed on that layout; then the other
     * items the user forced. Says what fell back, and warns about every forced item that did not
     * pass here.
     */
    public static Choice choose(CheckReport report, EngineSettings.Spec forced, List<Lever> levers) {
        List<String> fellBack = new ArrayList<>();
        Lever best = null;
        Lever firstPassed = null;
        for (Lever l : levers) {
            if (!l.isLayout() || l.standalone()) {
                continue;
            }
            PathResult r = report.path(l.name());
            if (r != null && r.passed()) {
                firstPassed = firstPassed == null ? l : firstPassed;
                // a layout whose training layout failed would train on a refused path: a later one
                // that trains in itself and passed (native, where oneDNN is wrong) serves both
                PathResult trained = report.path(l.enable(EngineSettings.PLAIN).forTraining().layout().token());
                if (trained == null || trained.passed()) {
                    best = l;
                    break;
                }
                if (forced.layout() == null) {
                    fellBack.add(l.name() + " passed, but training runs it as " + trained.path() + ", which "
                            + trained.summary());
                }
                continue;
            }
            if (forced.layout() == null) {
                fellBack.add(l.name() + " " + (r == null ? "was not checked" : r.summary()));
            }
        }
        if (best == null && firstPassed != null) {
            best = firstPassed; // nothing trains on a path that passed: evaluation at least may
            fellBack.clear();
        }
        boolean none = best == null;
        EngineSettings s = forced.layout() != null ? EngineSettings.PLAIN.withLayout(forced.layout())
                : none ? EngineSettings.PLAIN : best.enable(EngineSettings.PLAIN);
        Lever layout = forced.layout() == null ? best : layoutOf(s, levers, report);
        for (Lever l : levers) {
            if (l.isLayout() || l.standalone() || !l.byDefault() || layout == null) {
                continue;
            }
            PathResult r = report.path(l.name() + "@" + layout.name());
            if (r != null && r.passed()) {
                s = l.enable(s);
            } else if (!none && !l.isOn(forced.applyTo(s)) && !l.isOn(forced.applyTo(l.enable(s)))) {
                continue; // forced off: nothing fell back
            } else if (!none && !forcedItem(l, forced)) {
                fellBack.add(l.name() + " " + (r == null ? "was not checked" : r.summary()));
            }
        }
        s = forced.applyTo(s);
        List<String> warnings = new ArrayList<>();
        for (Lever l : levers) {
            if (l.standalone() || !l.isOn(s) || !forcedItem(l, forced) || (l.isLayout() && l != layout)) {
                continue;
            }
            String path = l.isLayout() ? l.name() : layout == null ? null : l.name() + "@" + layout.name();
            PathResult r = path == null ? null : report.path(path);
            if (r == null || !r.passed()) {
                warnings.add("WARNING: " + forcedBy() + " forces " + l.name() + ", which "
                        + (r == null ? "the engine self-check did not check on this machine: results may be wrong"
                                : r.status() == CheckReport.Status.NO_EFFECT
                                        ? "changed nothing in the engine self-check on this machine (" + r.summary() + ")"
                                        : "FAILED the engine self-check on this machine (" + r.summary() + "): results may be wrong"));
            }
        }
        // training has no other layout to fall back to (EngineSettings#forTraining): when its layout
        // failed here, say so loudly rather than train in silence on a path the check refused
        PathResult trained = report.path(s.forTraining().layout().token());
        if (trained != null && !trained.passed() && trained.status() != CheckReport.Status.NO_EFFECT) {
            warnings.add("WARNING: training runs " + trained.path() + ", which FAILED the engine self-check on this"
                    + " machine (" + trained.summary() + "): trained weights may be wrong here (docs/engine.md, \"Known failures\")");
        }
        s = available(s);
        if (s.precision() == EngineSettings.Precision.BF16 && forced.precision() != EngineSettings.Precision.BF16
                && layout != null) {
            // started with ONEDNN_DEFAULT_FPMATH_MODE=BF16 by hand (--precision bf16 checks first)
            PathResult r = report.path(Levers.Bf16.NAME + "@" + layout.name());
            if (r == null || !r.passed() && r.status() != CheckReport.Status.NO_EFFECT) {
                warnings.add("WARNING: " + FPMATH_ENV + "=BF16 makes this process compute in bf16, which "
                        + (r == null ? "the engine self-check did not check on " + layout.name() + " here"
                                : "FAILED the engine self-check on " + layout.name() + " here (" + r.summary() + ")")
                        + ": results may be wrong");
            }
        }
        String fallback = fellBack.isEmpty() || none ? null
                : "engine: " + String.join("; ", fellBack) + " -> running " + s.describe()
                        + " (convkit doctor for details)";
        return new Choice(s, fallback, warnings, none);
    }

    /**
     * Every combination of settings convkit may run on the machine of {@code report}: each layout
     * that passed, with the options that passed on it (what convkit chooses for that layout) and
     * without them (what it runs when an option is turned off). The fidelity tests run each.
     */
    public static List<EngineSettings> paths(CheckReport report, List<Lever> levers) {
        List<EngineSettings> out = new ArrayList<>();
        for (Lever layout : levers) {
            PathResult r = report.path(layout.name());
            if (!layout.isLayout() || layout.standalone() || r == null || !r.passed()) {
                continue;
            }
            EngineSettings bare = layout.enable(EngineSettings.PLAIN);
            EngineSettings full = bare;
            for (Lever o : levers) {
                PathResult on = report.path(o.name() + "@" + layout.name());
                if (!o.isLayout() && !o.standalone() && o.byDefault() && on != null && on.passed()) {
                    full = o.enable(full);
                }
            }
            if (!out.contains(full)) {
                out.add(full);
            }
            if (!out.contains(bare)) {
                out.add(bare);
            }
        }
        return out;
    }

    /** The layout lever {@code s} uses (one that passed, if several stand for it), or null. */
    static Lever layoutOf(EngineSettings s, List<Lever> levers, CheckReport report) {
        Lever first = null;
        for (Lever l : levers) {
            if (l.isLayout() && !l.standalone() && l.isOn(s)) {
                PathResult r = report.path(l.name());
                if (r != null && r.passed()) {
                    return l;
                }
                first = first == null ? l : first;
            }
        }
        return first;
    }

    /** Whether the user forced the item {@code l} stands for (its layout, or the option on). */
    private static boolean forcedItem(Lever l, EngineSettings.Spec forced) {
        if (l.isLayout()) {
            return forced.layout() != null;
        }
        return l.isOn(forced.applyTo(EngineSettings.PLAIN)) && !l.isOn(EngineSettings.PLAIN);
    }

    /**
     * The environment variable that makes oneDNN (libtorch's CPU convolutions) compute float32
     * convolutions in bfloat16: inputs and weights stay float32 in memory, the products are
     * bfloat16 with float32 accumulation, the outputs float32. oneDNN reads it once, when the
     * process starts its first convolution, so bfloat16 is a property of the process: {@code
     * convkit --precision bf16} starts its work in a child JVM with it set.
     */
    public static final String FPMATH_ENV = "ONEDNN_DEFAULT_FPMATH_MODE";

    /**
     * The precision this process's convolutions compute in: bf16 when it was started with {@link
     * #FPMATH_ENV}{@code =BF16} on a CPU with bfloat16 instructions, else fp32.
     */
    public static EngineSettings.Precision processPrecision() {
        String mode = System.getenv(FPMATH_ENV);
        return "bf16".equalsIgnoreCase(mode == null ? "" : mode.trim()) && cpuHasBf16()
                ? EngineSettings.Precision.BF16 : EngineSettings.Precision.FP32;
    }

    static final String NO_BF16 = "this CPU has no bfloat16 instructions (avx512_bf16 or amx_bf16)";

    /** Whether this process said already why it runs fp32 where bf16 was asked for (one line, once). */
    private static boolean bf16Refused;

    /**
     * Whether {@code --precision bf16} may compute in bfloat16 on this machine: a CPU with bfloat16
     * instructions, and the {@code bf16} path passed the self-check on the layout the work runs in
     * (NCHW for {@code training}, else the layout the check chose). When not, says why in one WARN
     * line and the caller runs fp32. Runs the check if this machine has no result (no network is
     * built here: the command then starts its bf16 process, which reads the cached result).
     */
    public static synchronized boolean bf16(boolean training) {
        String why = cpuHasBf16() ? null : NO_BF16;
        if (why == null && !forced().noCheck()) {
            try {
                Options options = Options.defaults();
                why = whyNotBf16(report(options, false), forced(), levers(options), training);
            } catch (IOException | RuntimeException e) {
                why = "the engine self-check could not run (" + e.getMessage() + ")";
            }
        }
        if (why != null && !bf16Refused) {
            LOG.warn("engine: --precision bf16 asked for, but {} -> running fp32 (convkit doctor for details)", why);
            bf16Refused = true;
        }
        return why == null;
    }

    /**
     * Why bf16 may not run on the layout the work runs in (the layout {@code report} and {@code
     * forced} choose, as training runs it for {@code training}), or null when it passed there.
     */
    public static String whyNotBf16(CheckReport report, EngineSettings.Spec forced, List<Lever> levers, boolean training) {
        if (!cpuHasBf16()) {
            return NO_BF16;
        }
        EngineSettings chosen = choose(report, forced, levers).settings();
        EngineSettings s = training ? chosen.forTraining() : chosen;
        PathResult r = report.path(Levers.Bf16.NAME + "@" + s.layout().token());
        if (r != null && r.passed()) {
            return null;
        }
        return "bf16 on " + s.layout().token() + " " + (r == null ? "was not checked" : r.summary());
    }

    /**
     * {@code wanted} with the precision this process really computes in ({@link
     * #processPrecision}); one line said when bf16 was asked for and cannot be had here (unless
     * {@link #bf16} said why already).
     */
    public static EngineSettings available(EngineSettings wanted) {
        EngineSettings.Precision actual = processPrecision();
        if (wanted.precision() == EngineSettings.Precision.BF16 && actual != EngineSettings.Precision.BF16
                && !bf16Refused) {
            LOG.warn(!cpuHasBf16()
                    ? "engine: bf16 asked for, but " + NO_BF16 + ": running fp32"
                    : "engine: bf16 asked for, but this process was not started with " + FPMATH_ENV + "=BF16 (the"
                            + " convkit command line does that for --precision bf16): running fp32");
        }
        return wanted.withPrecision(actual);
    }

    /**
     * Whether the CPU computes bfloat16 in hardware, as the Linux kernel lists its flags
     * ({@code avx512_bf16}, {@code amx_bf16}); false where that cannot be read (elsewhere oneDNN
     * would run float32 anyway).
     */
    public static boolean cpuHasBf16() {
        List<String> flags = Machine.current().flags();
        return flags.contains("avx512_bf16") || flags.contains("amx_bf16");
    }

    /**
     * This machine's result: the cached one, else the check is run now (under the lock, so a process
     * that waited finds the one just written). {@code recheck} discards the cache first.
     */
    public static CheckReport report(Options options, boolean recheck) throws IOException {
        Runtime.init();
        List<Lever> levers = levers(options);
        Map<String, Object> fingerprint = fingerprint(levers);
        String key = key(fingerprint);
        Path file = options.cacheDir().resolve(key + ".json");
        if (!recheck) {
            CheckReport cached = read(file, key);
            if (cached != null) {
                return cached;
            }
        }
        Files.createDirectories(options.cacheDir());
        Instant asked = Instant.now();
        try (FileChannel ch = FileChannel.open(options.cacheDir().resolve(key + ".lock"), StandardOpenOption.CREATE,
                        StandardOpenOption.WRITE);
                FileLock ignored = ch.lock()) {
            CheckReport cached = read(file, key);
            if (cached != null && (!recheck || Instant.parse(cached.checkedAt()).isAfter(asked))) {
                return cached; // another process checked while this one waited
            }
            LOG.info("engine: checking the engine paths on this machine (once per machine and engine, seconds)"
                    + " ...");
            long start = System.nanoTime();
            List<PathResult> paths = run(levers, options.timeout());
            CheckReport report = new CheckReport(CheckReport.FORMAT, key, fingerprint, Instant.now().toString(),
                    (System.nanoTime() - start) / 1e9, paths);
            Json.writePretty(file, report);
            LOG.info("engine: {} in {} s; cached in {}", report.summary(), String.format(Locale.ROOT, "%.1f",
                    report.seconds()), file);
            return report;
        }
    }


    /**
     * Layouts in one child process, then each option on every layout that passed; a standalone
     * engine ({@link Lever#standalone}) in a child process of its own.
     */
    private static List<PathResult> run(List<Lever> levers, Duration timeout) throws IOException {
        CheckRunner runner = new CheckRunner(timeout);
        List<CheckRunner.Planned> layouts = new ArrayList<>();
        List<CheckRunner.Planned> engines = new ArrayList<>();
        for (Lever l : levers) {
            if (l.standalone()) {
                engines.add(new CheckRunner.Planned(l.name(), l, null, EngineSettings.PLAIN));
            } else if (l.isLayout()) {
                layouts.add(new CheckRunner.Planned(l.name(), l, null, l.enable(EngineSettings.PLAIN)));
            }
        }
        List<PathResult> results = new ArrayList<>(layouts.isEmpty() ? List.of() : runner.run(layouts));
        List<CheckRunner.Planned> options = new ArrayList<>();
        List<PathResult> notRun = new ArrayList<>();
        for (CheckRunner.Planned layout : layouts) {
            PathResult r = results.get(layouts.indexOf(layout));
            if (!r.passed()) {
                continue;
            }
            for (Lever l : levers) {
                if (l.isLayout() || l.standalone()) {
                    continue;
                }
                CheckRunner.Planned p = new CheckRunner.Planned(l.name() + "@" + layout.path(), l, layout.path(),
                        l.enable(layout.settings()));
                String why = l.unavailable();
                if (why == null) {
                    options.add(p);
                } else {
                    notRun.add(new PathResult(p.path(), l.name(), p.layout(), p.settings().spec(),
                            l.checkedFor(p.settings()), CheckReport.Status.NOT_RUN, why, 0, List.of()));
                }
            }
        }
        if (!options.isEmpty()) {
            results.addAll(runner.run(options));
        }
        results.addAll(notRun);
        for (CheckRunner.Planned e : engines) {
            String why = e.lever().unavailable();
            results.addAll(why == null ? runner.run(List.of(e))
                    : List.of(new PathResult(e.path(), e.lever().name(), null, e.settings().spec(),
                            e.lever().checkedFor(e.settings()), CheckReport.Status.NOT_RUN, why, 0, List.of())));
        }
        return results;
    }

    /** The levers of {@code options}, made. */
    public static List<Lever> levers(Options options) {
        List<Lever> out = new ArrayList<>();
        for (Class<? extends Lever> c : options.levers()) {
            try {
                out.add(c.getDeclaredConstructor().newInstance());
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("engine lever " + c.getName() + " needs a public no-argument constructor", e);
            }
        }
        return out;
    }

    private static List<Class<? extends Lever>> leversFromProperty() {
        return leversFrom(LEVERS_PROPERTY, Levers.DEFAULT);
    }

    /**
     * The lever classes the system property {@code property} names (comma-separated), else {@code
     * defaults}: how a lever under development, or a test's stand-in, takes a lever's place.
     */
    @SuppressWarnings("unchecked")
    public static List<Class<? extends Lever>> leversFrom(String property, List<Class<? extends Lever>> defaults) {
        String p = System.getProperty(property);
        if (p == null || p.isBlank()) {
            return defaults;
        }
        List<Class<? extends Lever>> out = new ArrayList<>();
        for (String name : p.split(",")) {
            try {
                Class<?> c = Class.forName(name.trim());
                if (!Lever.class.isAssignableFrom(c)) {
                    throw new ConvkitException("-D" + property + ": " + name + " is not an engine Lever");
                }
                out.add((Class<? extends Lever>) c);
            } catch (ClassNotFoundException e) {
                throw new ConvkitException("-D" + property + ": no class " + name.trim());
            }
        }
        return List.copyOf(out);
    }

    /**
     * What a result depends on: the machine's CPU, caches and OS, the engine's versions and thread
     * count, the environment that steers oneDNN and OpenMP, and what is checked.
     */
    static Map<String, Object> fingerprint(List<Lever> levers) {
        Map<String, Object> f = new LinkedHashMap<>(Machine.current().fingerprint());
        Engine engine = Runtime.init();
        f.put("libtorch", engine.getVersion());
        f.put("djl", Engine.getDjlVersion());
        String v = EngineCheck.class.getPackage().getImplementationVersion();
        f.put("convkit", v == null ? "dev" : v);
        f.put("check", CHECK_VERSION);
        f.put("threads", JniUtils.getNumThreads());
        f.put("interopThreads", JniUtils.getNumInteropThreads());
        Map<String, String> env = new TreeMap<>();
        System.getenv().forEach((k, val) -> {
            // the precision of the process is not the engine's: the check's children run without it
            if (ENV_PREFIXES.stream().anyMatch(k::startsWith) && !k.equals(FPMATH_ENV)) {
                env.put(k, val);
            }
        });
        f.put("env", env);
        f.put("levers", levers.stream().map(l -> l.getClass().getName()).toList());
        for (Lever l : levers) {
            f.putAll(new TreeMap<>(l.fingerprint())); // sorted: a Map.of's order changes from one JVM to the next
        }
        return f;
    }

    static String key(Map<String, Object> fingerprint) {
        try {
            byte[] json = Json.mapper().writeValueAsBytes(fingerprint);
            byte[] h = MessageDigest.getInstance("SHA-256").digest(json);
            return HexFormat.of().formatHex(h, 0, 8);
        } catch (IOException | NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static CheckReport read(Path file, String key) {
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try {
            CheckReport r = Json.mapper().readValue(Files.readString(file, StandardCharsets.UTF_8), CheckReport.class);
            return r.format() == CheckReport.FORMAT && key.equals(r.key()) ? r : null;
        } catch (IOException | RuntimeException e) {
            LOG.warn("engine: ignoring an unreadable self-check result {} ({}); checking again", file, e.getMessage());
            return null;
        }
    }
}
