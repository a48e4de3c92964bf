package org.convkit.train;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.convkit.cli.Main;

/** Runs {@code convkit} in this JVM as a user would, stdout and stderr captured together (and echoed). */
final class InProcess {
    record Result(int exit, String out) {}

    private InProcess() {}

    /**
     * {@code convkit args...}; for the commands that write runs ({@code runs} not null) with
     * {@code --runs-dir runs}, 2 threads, 1 loader worker and seed 1, the others as given.
     */
    static synchronized Result convkit(Path runs, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        if (runs != null) {
            all.addAll(List.of("--runs-dir", runs.toString(), "--threads", "2", "--workers", "1", "--seed", "1"));
        }
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream capture = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        int code;
        try {
            System.setOut(capture);
            System.setErr(capture);
            code = Main.run(all.toArray(String[]::new));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
        String text = bytes.toString(StandardCharsets.UTF_8);
        oldOut.print(text);
        return new Result(code, text);
    }
}
