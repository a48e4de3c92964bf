package org.convkit.core;

import ai.djl.Device;
import ai.djl.engine.Engine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Process-wide setup of the tensor engine: offline, a writable cache, sane thread counts.
 *
 * <p>DJL reads these settings from system properties the first time the engine loads, so {@link
 * #init()} must run before any NDManager is created. It never downloads anything: the native
 * libtorch comes from the {@code pytorch-native-cpu} jar on the class path, or from a directory the
 * user names with {@code PYTORCH_LIBRARY_PATH} (that is how a CUDA build is supplied).
 */
public final class Runtime {
    private static volatile Engine engine;

    private Runtime() {}

    /** {@code $CONVKIT_HOME}, default {@code ~/.convkit}: engine cache and downloaded datasets. */
    public static Path home() {
        String env = System.getenv("CONVKIT_HOME");
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        return Path.of(System.getProperty("user.home"), ".convkit");
    }

    /** Loads the PyTorch engine once, offline; fails fast with a message saying what to do. */
    public static synchronized Engine init() {
        if (engine != null) {
            return engine;
        }
        System.setProperty("ai.djl.offline", "true");
        // DJL's default spreads work over inter-op threads too; on small CPUs that is slower than one
        // inter-op thread (bench/RESULTS.md has the figures). The user can still override both on the command line.
        setIfAbsent("ai.djl.pytorch.num_interop_threads", "1");
        setIfAbsent(
                "ai.djl.pytorch.num_threads",
                String.valueOf(java.lang.Runtime.getRuntime().availableProcessors()));
        // no usage telemetry, and no engine other than PyTorch is ever picked by accident
        setIfAbsent("ai.djl.default_engine", "PyTorch");
        setIfAbsent("OPT_OUT_TRACKING", "true");
        Path cache = home().resolve("engine-cache");
        if (System.getenv("ENGINE_CACHE_DIR") == null) {
            setIfAbsent("ENGINE_CACHE_DIR", cache.toString());
        }
        try {
            Files.createDirectories(Path.of(System.getProperty("ENGINE_CACHE_DIR", cache.toString())));
        } catch (Exception e) {
            throw new ConvkitException(
                    "cannot create the engine cache "
                            + cache
                            + ": "
                            + e.getMessage()
                            + ". Set CONVKIT_HOME to a writable directory.",
                    e);
        }
        try {
            engine = Engine.getEngine("PyTorch");
        } catch (Throwable e) {
            throw new ConvkitException(
                    "the PyTorch engine did not load ("
                            + rootMessage(e)
                            + "). convkit runs offline and needs libtorch from the"
                            + " pytorch-native-cpu jar on the class path, or a libtorch directory in"
                            + " PYTORCH_LIBRARY_PATH.",
                    e);
        }
        return engine;
    }

    /**
     * Parses {@code cpu}, {@code cuda} or {@code cuda:N} and checks the engine can use it.
     *
     * @param spec the value of {@code --device}
     */
    public static Device device(String spec) {
        Engine e = init();
        String s = spec == null ? "cpu" : spec.trim().toLowerCase(Locale.ROOT);
        if (s.equals("cpu")) {
            return Device.cpu();
        }
        if (s.equals("cuda") || s.equals("gpu") || s.startsWith("cuda:") || s.startsWith("gpu:")) {
            int id = 0;
            int colon = s.indexOf(':');
            if (colon >= 0) {
                try {
                    id = Integer.parseInt(s.substring(colon + 1));
                } catch (NumberFormatException ex) {
                    throw new ConvkitException(
                            "--device " + spec + ": expected cpu, cuda or cuda:N with N a number");
                }
            }
            int gpus = e.getGpuCount();
            if (gpus == 0) {
                throw new ConvkitException(
                        "--device "
                                + spec
                                + ": this libtorch has no CUDA support or no GPU is visible."
                                + " Point PYTORCH_LIBRARY_PATH at a CUDA build of libtorch "
                                + e.getVersion()
                                + ", or use --device cpu.");
            }
            if (id >= gpus) {
                throw new ConvkitException(
                        "--device " + spec + ": only " + gpus + " GPU(s) visible (cuda:0..cuda:" + (gpus - 1) + ")");
            }
            return Device.gpu(id);
        }
        throw new ConvkitException("--device " + spec + ": expected cpu, cuda or cuda:N");
    }

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t.getClass().getSimpleName() + ": " + t.getMessage();
    }
}
