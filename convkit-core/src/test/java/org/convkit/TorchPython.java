package org.convkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assertions;

/**
 * Debian's PyTorch (/usr/bin/python3 with torch and torchvision, never the python on PATH) as the
 * oracle of a test, for any module: {@link #require} skips the test with the reason when it is not
 * installed, and fails it instead under {@code CI=true}, where {@code .ci/run} installs it (a
 * skipped oracle test in CI would be a check that never ran).
 */
public final class TorchPython {
    public static final Path PYTHON = Path.of("/usr/bin/python3");

    private TorchPython() {}

    /** Skips (fails under CI=true) unless /usr/bin/python3 imports torch and torchvision: {@link Needs#torch}. */
    public static void require() {
        Needs.torch();
    }

    /** What a run printed. */
    public record Result(int exit, String out) {}

    /**
     * Runs {@code script} (a file of convkit-core/src/test/python) with {@code args}; stderr goes
     * to the test's output.
     *
     * @return its stdout; the test fails when it exits non-zero
     */
    public static String script(String script, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("nice", PYTHON.toString(), TestPaths.python(script).toString()));
        cmd.addAll(List.of(args));
        Result r = run(cmd, 1200);
        Assertions.assertEquals(0, r.exit, script + " failed: " + String.join(" ", cmd) + "\n" + r.out);
        return r.out;
    }

    private static Result run(List<String> cmd, int seconds) throws IOException {
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Result(-1, out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            return new Result(-1, out);
        }
        return new Result(p.exitValue(), out);
    }
}
