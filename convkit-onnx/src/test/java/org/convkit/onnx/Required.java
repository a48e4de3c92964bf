package org.convkit.onnx;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * Tools the tests use from Debian packages that {@code .ci/run} installs: missing, a test skips
 * with the reason, except under {@code CI=true}, where it fails (CI must run every test).
 */
final class Required {
    static final Path PYTHON = Path.of("/usr/bin/python3");

    private Required() {}

    /** Skips (or, under CI=true, fails) unless {@code ok}. */
    static void require(boolean ok, String what) {
        if (ok) {
            return;
        }
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            Assertions.fail(what + " — CI=true, and .ci/run installs it, so this is a failure, not a skip");
        }
        Assumptions.abort(what);
    }

    /** Debian's python3-onnx: the ONNX project's own model checker. */
    static void onnxChecker() {
        require(imports("onnx"), "needs Debian's ONNX checker: apt-get install python3-onnx (for /usr/bin/python3)");
    }

    /** Debian's python3-torch and python3-torchvision. */
    static void torchvision() {
        require(imports("torch, torchvision, onnx"),
                "needs Debian's PyTorch, torchvision and ONNX: apt-get install python3-torch python3-torchvision python3-onnx");
    }

    static boolean imports(String modules) {
        return Files.isExecutable(PYTHON) && run(List.of(PYTHON.toString(), "-c", "import " + modules)).exit == 0;
    }

    /**
     * The ONNX checker on a file: structure, operator signatures for the file's opset, and
     * (full_check) shape inference over the whole graph.
     *
     * @return the checker's complaint, or null when the file passes
     */
    static String check(Path onnx) {
        Result r = run(List.of(PYTHON.toString(), "-c",
                "import sys, onnx; onnx.checker.check_model(sys.argv[1], full_check=True)", onnx.toString()));
        return r.exit == 0 ? null : r.output;
    }

    record Result(int exit, String output) {}

    static Result run(List<String> command) {
        try {
            Process p = new ProcessBuilder(new ArrayList<>(command)).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(600, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Result(-1, "timed out: " + out);
            }
            return new Result(p.exitValue(), out);
        } catch (IOException e) {
            return new Result(-1, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(-1, e.toString());
        }
    }
}
