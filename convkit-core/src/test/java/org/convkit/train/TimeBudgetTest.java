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
                Map.entry("arch", "8,16"), Map.entry("fc", ""), Map.entry("image-size", 32), Map.entry("epochs", 1000),
                Map.entry("batch-size", 16), Map.entry("lr", 0.05), Map.entry("seed", 3L), Map.entry("budget", budget + "s"),
                Map.entry("runs-dir", tmp.resolve("runs").toString()), Map.entry("run", "budget"),
                Map.entry("workers", 1),
                // many tiny epochs on 12 validation images: a 10x jump of a near-zero validation loss
                // would make the divergence guard divide the rate by 10 and the last rate below
                // would not be the schedule's; the guard is tested in DivergenceCliTest
                Map.entry("backoff", false)), "test");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        long start = System.nanoTime();
        Training.Outcome o = Training.run(c, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        String out = bytes.toString(StandardCharsets.UTF_8);
        FitResult fit = o.fit();
        int epochs = fit.history().size();
        double trained = fit.history().stream().mapToDouble(EpochResult::seconds).sum();
        double longest = fit.history().stream().mapToDouble(EpochResult::seconds).max().orElseThrow();
        // the length was fitted and said: the guess, 1,000 epochs, cannot fit in 8 s (the fitting's
        // arithmetic is checked exactly with a test clock below)
        assertTrue(epochs < 1000 && out.contains("budget: " + epochs + " epochs fit in 8 s"), out);
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

    @Test
    void fitsTheLengthToThePaceOfTheEpochs() {
        java.util.concurrent.atomic.AtomicLong now = new java.util.concurrent.atomic.AtomicLong();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        TimeBudget b = new TimeBudget(Duration.ofSeconds(100), 3, 10, 0.3, new PrintStream(bytes, true,
                StandardCharsets.UTF_8), now::get);
        b.start();
        // epoch 1 took 10 s: 9 more fit in the 90 s left, the guess of 3 becomes 10
        now.set(10_000_000_000L);
        assertEquals(10, b.fitAfter(1));
        // epoch 2 took 15 s: 5 more fit in the 75 s left; the second epoch may correct either way
        now.set(25_000_000_000L);
        assertEquals(7, b.fitAfter(2));
        // epoch 3 took 5 s: 14 more would fit, but later epochs only shorten the run
        now.set(30_000_000_000L);
        assertEquals(7, b.fitAfter(3));
        // epoch 4 took 30 s: 1 more fits in the 40 s left: the run ends after epoch 5
        now.set(60_000_000_000L);
        assertEquals(5, b.fitAfter(4));
        // epoch 5 far too slow: a started schedule still ends where it is
        now.set(200_000_000_000L);
        assertEquals(5, b.fitAfter(5));
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(out.contains("budget: 10 epochs fit in 100 s at 10.0 s per epoch"), out);
        assertTrue(out.contains("budget: 7 epochs fit in 100 s at 15.0 s per epoch"), out);
        assertTrue(out.contains("budget: 5 epochs fit in 100 s at 30.0 s per epoch"), out);
        assertEquals(3, out.lines().count(), out);
        // and the schedule was resized with it: one-cycle over 5 epochs of 10 steps
        org.convkit.train.schedule.OneCycle five = org.convkit.train.schedule.OneCycle.withWarmup(50, 0.3);
        for (long step : new long[] {0, 14, 15, 30, 49}) {
            assertEquals(five.lrFactor(step), b.lrFactor(step), 1e-12, "step " + step);
        }
    }
}
