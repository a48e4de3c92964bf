package org.convkit.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ProgressTest {
    @Test
    void theFinalLineCountsSkippedUnitsAndShowsTheStatus() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        Progress p = new Progress("epoch 2/3", 10, "batch", out, false);
        p.skip(4); // a resumed epoch: done before, not part of the rate
        p.status("loss 0.5000 acc 80.00%");
        p.advance(6);
        assertTrue(p.rate() > 0);
        p.close();
        String line = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(line.startsWith("epoch 2/3 [########################] 100%  10/10"), line);
        assertTrue(line.trim().endsWith("loss 0.5000 acc 80.00%"), line);
        assertEquals(1, line.lines().count(), "plain output: one line when closed within 10 seconds");
    }

    @Test
    void onATerminalDismissClearsTheBar() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Progress p = new Progress("pack", 5, "img", new PrintStream(bytes, true, StandardCharsets.UTF_8), true);
        p.advance(5);
        p.dismiss();
        assertTrue(bytes.toString(StandardCharsets.UTF_8).endsWith("\r\u001b[K"), "the line is cleared");
    }
}
