package org.convkit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Every command's --help renders cleanly: picocli warns on stderr about a stray '%' in a text. */
class HelpTextTest {

    @Test
    void everyCommandsHelpRendersWithoutWarnings() {
        PrintStream oldErr = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        List<String> seen = new ArrayList<>();
        try {
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            visit(Main.commandLine(), seen);
        } finally {
            System.setErr(oldErr);
        }
        String warnings = err.toString(StandardCharsets.UTF_8);
        assertFalse(warnings.contains("picocli WARN"), warnings);
        assertTrue(seen.contains("convkit train"), seen.toString());
        assertTrue(seen.contains("convkit spark"), seen.toString());
    }

    @Test
    void sparkWithoutItsModuleSaysHowToRunIt() {
        CliRun r = CliRun.of("spark", "predict", "--checkpoint", "runs/x", "--input", "in", "--out", "out");
        assertEquals(1, r.exit);
        assertTrue(r.err.contains("./convkit spark") && r.err.contains("spark-submit"), r.err);
    }

    private static void visit(CommandLine cmd, List<String> seen) {
        StringWriter out = new StringWriter();
        cmd.usage(new PrintWriter(out));
        String text = out.toString();
        assertTrue(text.contains("Usage: " + cmd.getCommandSpec().qualifiedName()), text);
        assertEquals(-1, text.indexOf("%n"), "unformatted text in " + cmd.getCommandName());
        seen.add(cmd.getCommandSpec().qualifiedName());
        for (CommandLine sub : cmd.getSubcommands().values()) {
            visit(sub, seen);
        }
    }
}
