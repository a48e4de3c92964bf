package org.convkit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.convkit.TestPaths;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher ({@code ./convkit}): its OpenMP setting (a short spin while the machine has a core
 * per core to spare, passive waiting under more load, a setting of the user's left alone) and its
 * build step (one build when two commands start together after a change). Runs the launcher's own
 * lines in bash, without Maven or Java.
 */
class LauncherTest {
    /** The launcher's {@code openmp_env} function and the block that applies it. */
    static String openmpLines() throws IOException {
        String launcher = Files.readString(TestPaths.repo().resolve("convkit"), StandardCharsets.UTF_8);
        Matcher m = Pattern.compile("(?ms)^openmp_env\\(\\) \\{.*?^}\\n.*?^fi\\n").matcher(launcher);
        if (!m.find()) {
            throw new AssertionError("no openmp_env function and its if block in the launcher");
        }
        return m.group();
    }

    static String bash(String script, Map<String, String> env) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("bash", "-c", script).redirectErrorStream(true);
        pb.environment().remove("OMP_WAIT_POLICY");
        pb.environment().remove("GOMP_SPINCOUNT");
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertEquals(0, p.waitFor(), out);
        return out;
    }

    @Test
    void spinsShortlyWhileTheCoresAreFreeAndWaitsPassivelyUnderLoad() throws Exception {
        String f = openmpLines();
        assertEquals("GOMP_SPINCOUNT=2000", bash(f + "openmp_env 0.08 2", Map.of()));
        assertEquals("GOMP_SPINCOUNT=2000", bash(f + "openmp_env 2.00 2", Map.of()), "two busy-loops beside it: measured faster");
        assertEquals("OMP_WAIT_POLICY=PASSIVE", bash(f + "openmp_env 2.50 2", Map.of()));
        assertEquals("OMP_WAIT_POLICY=PASSIVE", bash(f + "openmp_env 9.6 2", Map.of()), "load 10: measured slower");
        assertEquals("GOMP_SPINCOUNT=2000", bash(f + "openmp_env 7.5 8", Map.of()));
    }

    @Test
    void aSettingOfTheUsersIsLeftAlone() throws Exception {
        String f = openmpLines() + "echo \"${OMP_WAIT_POLICY:-unset} ${GOMP_SPINCOUNT:-unset}\"";
        assertEquals("ACTIVE unset", bash(f, Map.of("OMP_WAIT_POLICY", "ACTIVE")));
        assertEquals("unset 100", bash(f, Map.of("GOMP_SPINCOUNT", "100")));
        // otherwise exactly one of the two is set, from this machine's load
        String chosen = bash(f, Map.of());
        assertEquals(true, chosen.equals("PASSIVE unset") || chosen.equals("unset 2000"), chosen);
    }

    /**
     * Two commands started together after a source change: the launcher's build block (its own
     * lines, with a build that takes a second) builds once, and the command that waited finds the
     * build fresh. Without the lock both would build, in the same target folders.
     */
    @Test
    void twoCommandsStartedTogetherBuildOnce(@TempDir Path dir) throws Exception {
        String launcher = Files.readString(TestPaths.repo().resolve("convkit"), StandardCharsets.UTF_8);
        Matcher m = Pattern.compile("(?ms)^if stale; then\\n.*?^fi\\n").matcher(launcher);
        if (!m.find()) {
            throw new AssertionError("no 'if stale; then' build block in the launcher");
        }
        String script = "here='" + dir + "'\n"
                + "stale() { [[ ! -f \"$here/built\" ]]; }\n"
                + "build() { echo \"build $1\" >> \"$here/builds\"; sleep 1; touch \"$here/built\"; }\n"
                + m.group().replace("    build\n", "    build $$\n")
                + "echo ran\n";
        List<Process> both = List.of(
                new ProcessBuilder("bash", "-c", script).redirectErrorStream(true).start(),
                new ProcessBuilder("bash", "-c", script).redirectErrorStream(true).start());
        for (Process p : both) {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            assertEquals(0, p.waitFor(), out);
            assertEquals("ran", out);
        }
        assertEquals(1, Files.readAllLines(dir.resolve("builds")).size(), Files.readString(dir.resolve("builds")));
        assertEquals(true, Files.exists(dir.resolve(".convkit-build.lock")), "the lock file sits beside the launcher");
    }
}
