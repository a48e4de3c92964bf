package org.convkit.model.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.convkit.core.AtomicFiles;

/**
 * What libtorch's oneDNN says about itself when asked ({@code ONEDNN_VERBOSE=1}): its version, its
 * threading runtime and thread count, and the instruction set it dispatches to. Asked in a child
 * process running one convolution (the first primitive prints the header), for {@code convkit
 * doctor}.
 *
 * @param version "oneDNN v3.7.1 (commit ...)", or "unknown" when it did not say
 * @param runtime "OpenMP", "TBB", "SEQ" ...
 * @param threads the threads it runs on
 * @param isa "Intel AVX-512 with ... Intel AMX ..."
 */
public record OneDnn(String version, String runtime, String threads, String isa) {
    static final String ARG = "--onednn-info";
    public static final OneDnn UNKNOWN = new OneDnn("unknown", "unknown", "unknown", "unknown");

    /** Asks, in a child process; {@link #UNKNOWN} when it cannot tell within {@code timeout}. */
    public static OneDnn ask(Duration timeout) {
        Path tmp = null;
        try {
            tmp = Files.createTempDirectory("convkit-onednn");
            ProcessBuilder pb = new ProcessBuilder(CheckRunner.javaCommand(tmp, List.of(ARG)))
                    .redirectErrorStream(true);
            pb.environment().put("ONEDNN_VERBOSE", "1");
            Process p = pb.start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                return UNKNOWN;
            }
            return parse(new String(out, StandardCharsets.UTF_8));
        } catch (IOException e) {
            return UNKNOWN;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return UNKNOWN;
        } finally {
            if (tmp != null) {
                try {
                    AtomicFiles.deleteTree(tmp);
                } catch (IOException ignored) {
                    // a temp folder left behind
                }
            }
        }
    }

    /** Reads oneDNN's verbose header lines ({@code onednn_verbose,...,info,...}). */
    static OneDnn parse(String out) {
        String version = "unknown";
        String runtime = "unknown";
        String threads = "unknown";
        String isa = "unknown";
        for (String line : out.split("\n")) {
            int at = line.indexOf(",info,");
            if (!line.startsWith("onednn_verbose") || at < 0) {
                continue;
            }
            String info = line.substring(at + 6).trim();
            if (info.startsWith("oneDNN ")) {
                version = info;
            } else if (info.startsWith("cpu,runtime:")) {
                for (String part : info.substring(4).split(",")) {
                    if (part.startsWith("runtime:")) {
                        runtime = part.substring(8);
                    } else if (part.startsWith("nthr:")) {
                        threads = part.substring(5);
                    }
                }
            } else if (info.startsWith("cpu,isa:")) {
                isa = info.substring(8);
            }
        }
        return new OneDnn(version, runtime, threads, isa);
    }

    /** One small float32 convolution, in the child. */
    static void convolve() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.ones(new Shape(2, 16, 14, 14)); // large enough for libtorch to hand it to oneDNN
            NDArray w = m.ones(new Shape(32, 16, 3, 3));
            Conv2d.conv2d(x, w, null, new Shape(1, 1), new Shape(1, 1), new Shape(1, 1), 1).singletonOrThrow().sum()
                    .getFloat();
        }
    }
}
