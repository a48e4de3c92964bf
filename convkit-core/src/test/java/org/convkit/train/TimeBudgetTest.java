package org.convkit.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.convkit.core.ConvkitException;
import org.convkit.eval.EvalFixtures;
import org.convkit.train.run.Training;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --budget}: the time format, and a tiny run whose one-cycle schedule ends when its time does. */
class TimeBudgetTest {
    @TempDir
    Path tmp;

    @Test
    void parsesWallTimes() {
        assertEquals(Duration.ofMinutes(5), TimeBudget.parse("5m", "--budget"));
        assertEquals(Duration.ofSeconds(90), TimeBudget.parse("90s", "--budget"));
        assertEquals(Duration.ofMinutes(90), TimeBudget.parse("1h30m", "--budget"));
        assertEquals(Duration.ofSeconds(150), TimeBudget.parse("2.5M", "--budget"));
        for (String bad : new String[] {"5", "5 min", "", "0s", "m5", "5m-"}) {
            ConvkitException e = assertThrows(ConvkitException.class, () -> TimeBudget.parse(bad, "--budget"), bad);
            assertTrue(e.getMessage().startsWith("--budget " + bad + ": give a wall time"), e.getMessage());
        }
    }

    @Test
    void tinyRunEndsItsScheduleWhenTheTimeIsUp() throws Exception {
        Path data = tmp.resolve("data");
        EvalFixtures.imageFolder(data, "train", 40, 1);
        double budget = 8;
        TrainConfig c = TrainConfig.fromMap(Map.ofEntries(Map.entry("data", data.toString()), Map.entry("model", "simplecnn"),
                Map.entry("arch", "8,16"), Map.entry("fc", ""), Map.entry("image-size", 32), Map.entry("epochs", 2),
                Map.entry("batch-size", 16), Map.entry("lr", 0.05), Map.entry("seed", 3L), Map.entry("budget", budget + "s"),
                Map.entry("runs-dir", tmp.resolve("runs").toString()), Map.entry("run", "budget"),
                Map.entry("workers", 1)), "test");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        long start = System.nanoTime();
        Training.Outcome o = Training.run(c, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        String out = bytes.toString(StandardCharsets.UTF_8);
        FitResult fit = o.fit();
        int epochs = fit.history().size();
        double trained = fit.history().stream().mapToDouble(EpochResult::seconds).sum();
        double longest = fit.history().stream().mapToDouble(EpochResult::seconds).max().orElseThrow();
        // the length was fitted (the guess was 2 epochs) and said
        assertTrue(epochs == 2 || out.contains("budget: " + epochs + " epochs fit in 8 s"), out);
        // the schedule ran to its end: one-cycle's last rate is peak / (25 * 1e4)
        assertEquals(0.05 / 25 / 1e4, fit.last().lr(), 1e-9, "the last step's rate\n" + out);
        // and the time: off by about one epoch at most (a shared machine's pace varies: two)
        assertTrue(trained < budget + 2 * longest, "trained " + trained + " s for a " + budget + " s budget\n" + out);
        assertTrue((System.nanoTime() - start) / 1e9 >= trained);

        // the fitted length and the time spent are not in the checkpoint: resuming is refused, said
        ConvkitException e = assertThrows(ConvkitException.class, () -> Training.resume(tmp.resolve("runs/budget"),
                TrainConfig.EMPTY, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)));
        assertTrue(e.getMessage().contains("--budget " + budget + "s"), e.getMessage());
    }
}
