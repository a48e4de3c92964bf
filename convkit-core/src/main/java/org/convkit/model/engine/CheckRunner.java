package org.convkit.model.engine;

import ai.djl.pytorch.jni.JniUtils;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.convkit.core.AtomicFiles;
import org.convkit.core.Json;
import org.convkit.model.engine.CheckReport.PathResult;
import org.convkit.model.engine.CheckReport.ProbeResult;
import org.convkit.model.engine.CheckReport.Status;

/**
 * Runs planned paths in child JVMs ({@link CheckChild}) and turns what they print, and how they
 * end, into results: a path whose process dies is CRASHED (with the signal and the native frame
 * from the JVM's crash log), one that gives no answer for {@code timeout} is HUNG and killed; the
 * paths after it run in a fresh process.
 */
final class CheckRunner {
    private static final String EOF = "\u0000eof";

    /** One path to run: its name, its lever, the layout path it builds on (null for a layout), its settings. */
    record Planned(String path, Lever lever, String layout, org.convkit.core.EngineSettings settings) {}

    private final Duration timeout;

    CheckRunner(Duration timeout) {
        this.timeout = timeout;
    }

    /** Runs every planned path; a result for each, in plan order. */
    List<PathResult> run(List<Planned> plan) throws IOException {
        Map<String, PathResult> results = new LinkedHashMap<>();
        List<Planned> remaining = new ArrayList<>(plan);
        Path tmp = Files.createTempDirectory("convkit-engine-check");
        try {
            // paths that need the same process environment run in the same child processes
            while (!remaining.isEmpty()) {
                Map<String, String> env = remaining.get(0).lever().environment();
                List<Planned> group = new ArrayList<>(remaining.stream().filter(p -> p.lever().environment().equals(env)).toList());
                remaining.removeAll(group);
                while (!group.isEmpty()) {
                    runChild(group, env, results, tmp);
                }
            }
        } finally {
            AtomicFiles.deleteTree(tmp);
        }
        List<PathResult> ordered = new ArrayList<>();
        for (Planned p : plan) {
            ordered.add(results.get(p.path()));
        }
        return ordered;
    }

    /** One child process, with {@code env} set, over {@code remaining}; removes from it every path it settles. */
    private void runChild(List<Planned> remaining, Map<String, String> env, Map<String, PathResult> results, Path tmp)
            throws IOException {
        Path err = tmp.resolve("child-" + System.nanoTime() + ".err");
        ProcessBuilder pb = new ProcessBuilder(command(remaining, tmp)).redirectError(err.toFile());
        // a bf16 process (--precision bf16) checks the float32 paths in float32; the bf16 lever says so
        pb.environment().remove(EngineCheck.FPMATH_ENV);
        pb.environment().putAll(env);
        Process p = pb.start();
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    lines.add(line);
                }
            } catch (IOException ignored) {
                // the process went away: EOF below says so
            } finally {
                lines.add(EOF);
            }
        }, "engine-check-reader");
        reader.setDaemon(true);
        reader.start();

        Planned current = null;
        String currentProbe = null;
        List<ProbeResult> probes = new ArrayList<>();
        long started = System.nanoTime();
        boolean ready = false;
        try {
            while (true) {
                String line = lines.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
                if (line == null) { // no answer in time: a hang
                    p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
                    Planned hung = current != null ? current : remaining.get(0);
                    String where = currentProbe != null ? " in " + currentProbe : ready ? "" : " before the engine loaded";
                    settle(hung, Status.HUNG, "no answer for " + timeout.toSeconds() + " s" + where
                            + "; the process was killed", started, probes, remaining, results);
                    return;
                }
                if (line.equals(EOF)) {
                    int code = p.waitFor();
                    if (current != null) {
                        settle(current, Status.CRASHED, describeExit(code, tmp, err)
                                + (currentProbe != null ? " in " + currentProbe : ""), started, probes, remaining, results);
                    } else if (!remaining.isEmpty()) {
                        // died outside any path (at start-up): nothing can run
                        String why = "the check's process " + describeExit(code, tmp, err) + (ready ? "" : " before the engine loaded");
                        for (Planned left : List.copyOf(remaining)) {
                            settle(left, Status.NOT_RUN, why, System.nanoTime(), List.of(), remaining, results);
                        }
                    }
                    return;
                }
                if (!line.startsWith(CheckChild.PREFIX)) {
                    continue; // native libraries may print to stdout too
                }
                JsonNode e = Json.mapper().readTree(line.substring(CheckChild.PREFIX.length()));
                switch (e.get("event").asText()) {
                    case "ready" -> ready = true;
                    case "path" -> {
                        current = find(remaining, e.get("path").asText());
                        currentProbe = null;
                        probes = new ArrayList<>();
                        started = System.nanoTime();
                    }
                    case "probe" -> currentProbe = e.get("probe").asText();
                    case "result" -> probes.add(Json.mapper().treeToValue(e.get("result"), ProbeResult.class));
                    case "done" -> {
                        boolean pass = probes.stream().allMatch(ProbeResult::passed) && !probes.isEmpty();
                        ProbeResult worst = probes.stream().filter(r -> !r.passed()).findFirst().orElse(null);
                        String noEffect = pass ? current.lever().noEffect(probes) : null;
                        settle(current, noEffect != null ? Status.NO_EFFECT : pass ? Status.PASSED : Status.FAILED,
                                noEffect != null ? noEffect : pass ? null : worst == null ? "no probe ran" : worst.toString(),
                                started, probes, remaining, results);
                        current = null;
                        currentProbe = null;
                    }
                    default -> { }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new IOException("interrupted while checking the engine", e);
        } finally {
            if (p.isAlive()) {
                p.destroyForcibly();
            }
        }
    }

    private static void settle(Planned planned, Status status, String message, long started, List<ProbeResult> probes,
            List<Planned> remaining, Map<String, PathResult> results) {
        results.put(planned.path(), new PathResult(planned.path(), planned.lever().name(), planned.layout(),
                planned.settings().spec(), planned.lever().checkedFor(planned.settings()), status, message, (System.nanoTime() - started) / 1e9, List.copyOf(probes)));
        remaining.remove(planned);
    }

    private static Planned find(List<Planned> remaining, String path) {
        for (Planned p : remaining) {
            if (p.path().equals(path)) {
                return p;
            }
        }
        throw new IllegalStateException("the check's process ran a path it was not given: " + path);
    }

    /** The child's command line: this JVM's class path and engine settings, crash logs kept in {@code tmp}. */
    private static List<String> command(List<Planned> paths, Path tmp) {
        List<String> args = new ArrayList<>();
        for (Planned p : paths) {
            args.add(p.path());
            args.add(p.lever().getClass().getName());
            args.add(p.settings().spec());
        }
        return javaCommand(tmp, args, paths.stream().<Class<?>>map(p -> p.lever().getClass()).toList());
    }

    /**
     * {@code java ... CheckChild args}: this JVM's class path, its DJL and convkit properties and
     * thread count; a JVM crash log goes to {@code tmp} (never the user's working directory).
     */
    static List<String> javaCommand(Path tmp, List<String> args) {
        return javaCommand(tmp, args, List.of());
    }

    /** As {@link #javaCommand(Path, List)}, with where {@code classes} (the levers run) were loaded from. */
    static List<String> javaCommand(Path tmp, List<String> args, List<Class<?>> classes) {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-Xss4m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-XX:-CreateCoredumpOnCrash", "-XX:ErrorFile=" + tmp.resolve("hs_err_pid%p.log"),
                "-Djava.awt.headless=true"));
        Map<String, String> props = new LinkedHashMap<>();
        for (String k : System.getProperties().stringPropertyNames()) {
            if (k.startsWith("ai.djl.") || k.equals("ENGINE_CACHE_DIR") || k.startsWith("convkit.")) {
                props.put(k, System.getProperty(k));
            }
        }
        // the same thread count as the kernels this process will run (oneDNN blocks work by it)
        props.put("ai.djl.pytorch.num_threads", String.valueOf(JniUtils.getNumThreads()));
        props.forEach((k, v) -> cmd.add("-D" + k + "=" + v));
        cmd.add("-cp");
        cmd.add(classPath(classes));
        cmd.add(CheckChild.class.getName());
        cmd.addAll(args);
        return cmd;
    }

    /** This JVM's class path, plus where convkit, DJL and {@code extra} were loaded from when that is elsewhere (an app server). */
    static String classPath(List<Class<?>> extra) {
        Set<String> entries = new LinkedHashSet<>(List.of(System.getProperty("java.class.path").split(File.pathSeparator)));
        List<Class<?>> classes = new ArrayList<>(List.of(CheckChild.class, ai.djl.engine.Engine.class, JniUtils.class,
                com.fasterxml.jackson.databind.ObjectMapper.class));
        classes.addAll(extra);
        for (Class<?> c : classes) {
            try {
                var src = c.getProtectionDomain().getCodeSource();
                if (src != null) {
                    entries.add(Path.of(src.getLocation().toURI()).toString());
                }
            } catch (Exception ignored) {
                // not a file location: the class path above has to do
            }
        }
        entries.remove("");
        return String.join(File.pathSeparator, entries);
    }

    /** "crashed with SIGFPE in libtorch_cpu.so: dnnl::...est_eff_1x1()", "killed by SIGABRT", "exited with status 3". */
    static String describeExit(int code, Path tmp, Path err) {
        String crash = crashLog(tmp);
        if (crash != null) {
            return "the JVM crashed: " + crash;
        }
        if (code > 128 && code < 160) {
            return "killed by " + signal(code - 128) + lastLine(err);
        }
        return "exited with status " + code + lastLine(err);
    }

    /** The signal and the native frame from a JVM crash log (hs_err_pid*.log) in {@code dir}, or null. */
    static String crashLog(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            Path log = files.filter(f -> f.getFileName().toString().startsWith("hs_err_pid")).findFirst().orElse(null);
            if (log == null) {
                return null;
            }
            List<String> lines = Files.readAllLines(log, StandardCharsets.ISO_8859_1);
            String signal = null;
            String frame = null;
            for (int i = 0; i < lines.size() && i < 60; i++) {
                String l = lines.get(i);
                if (signal == null && l.matches("#\\s+(SIG[A-Z]+|EXCEPTION_[A-Z_]+).*")) {
                    signal = l.replaceFirst("#\\s+", "").replaceFirst("\\s.*", "");
                } else if (l.startsWith("# Problematic frame:") && i + 1 < lines.size()) {
                    frame = lines.get(i + 1).replaceFirst("#\\s+[A-Za-z]\\s+", "").trim();
                } else if (signal == null && l.contains("Internal Error")) {
                    signal = "internal error";
                }
            }
            Files.delete(log); // never left behind as a file a user might commit
            if (signal == null && frame == null) {
                return "see the crash log";
            }
            return (signal == null ? "a fatal error" : signal) + (frame == null ? "" : " at " + frame);
        } catch (IOException e) {
            return null;
        }
    }

    private static String lastLine(Path err) {
        try {
            List<String> lines = Files.readAllLines(err, StandardCharsets.UTF_8);
            for (int i = lines.size() - 1; i >= 0; i--) {
                String l = lines.get(i).trim();
                if (!l.isEmpty() && !l.startsWith("[W") && !l.startsWith("WARNING")) {
                    return " (" + (l.length() > 200 ? l.substring(0, 200) + "..." : l) + ")";
                }
            }
        } catch (IOException ignored) {
            // nothing written
        }
        return "";
    }

    private static String signal(int n) {
        return switch (n) {
            case 4 -> "SIGILL";
            case 6 -> "SIGABRT";
            case 7 -> "SIGBUS";
            case 8 -> "SIGFPE";
            case 9 -> "SIGKILL (out of memory?)";
            case 11 -> "SIGSEGV";
            case 15 -> "SIGTERM";
            default -> "signal " + n;
        };
    }
}
