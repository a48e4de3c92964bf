package org.convkit.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.convkit.model.weights.Checkpoint;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real processes on CPU with 2 threads and a fixed seed: the same command twice gives identical
 * per-epoch metrics and weights; a run killed with SIGKILL in the middle of an epoch (or in the
 * middle of writing a checkpoint) and resumed ends exactly like the uninterrupted one.
 */
@Tag("integration")
class ResumeReproTest {
    @TempDir
    static Path tmp;
    static Path data;
    static Path runs;
    private static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void data() throws IOException {
        data = Cli.imageFolder(tmp.resolve("shapes"), 4, 60, 16, 7);
        runs = tmp.resolve("runs");
    }

    private static String[] command(String run, String... extra) {
        List<String> a = new ArrayList<>(List.of("train", "--data", data.toString(), "--model", "simplecnn",
                "--arch", "8,16", "--fc", "32", "--dropout", "0.2", "--epochs", "3", "--batch-size", "8",
                "--augment", "standard", "--seed", "5", "--threads", "2", "--workers", "2",
                "--runs-dir", runs.toString(), "--run", run));
        a.addAll(List.of(extra));
        return a.toArray(String[]::new);
    }

    /** The uninterrupted reference run (made once). */
    private static synchronized Path reference() throws Exception {
        Path dir = runs.resolve("reference");
        if (!Files.exists(dir.resolve("checkpoints/last"))) {
            assertEquals(0, Cli.run(tmp.resolve("reference.log"), command("reference")), Cli.read(tmp.resolve("reference.log")));
        }
        return dir;
    }

    @Test
    void sameSeedSameMetricsAndWeights() throws Exception {
        Path a = reference();
        Path log = tmp.resolve("again.log");
        assertEquals(0, Cli.run(log, command("again")), Cli.read(log));
        assertSameTraining(a, runs.resolve("again"));
    }

    @Test
    void killedMidEpochAndResumedEndsTheSame() throws Exception {
        Path a = reference();
        Path dir = runs.resolve("killed");
        Process p = Cli.start(tmp.resolve("killed.log"), command("killed", "--checkpoint-batches", "5"));
        // wait for a checkpoint inside epoch 2, then kill -9
        waitFor(p, tmp.resolve("killed.log"), dir, s -> s.path("epoch").asInt() == 1 && s.path("batch").asInt() > 0);
        p.destroyForcibly().waitFor(30, TimeUnit.SECONDS); // SIGKILL on Linux
        JsonNode state = trainState(dir);
        assertEquals(1, state.path("epoch").asInt(), "killed during epoch 2");
        assertTrue(state.path("batch").asInt() > 0, "after a mid-epoch checkpoint");
        Path log = tmp.resolve("resumed.log");
        assertEquals(0, Cli.run(log, "train", "--resume", dir.toString(), "--threads", "2"), Cli.read(log));
        assertTrue(Cli.read(log).contains("resuming after epoch 1, batch"), Cli.read(log));
        assertSameTraining(a, dir);
    }

    @Test
    void killsDuringCheckpointWritesLeaveAUsableCheckpoint() throws Exception {
        Path a = reference();
        Path dir = runs.resolve("hammered");
        Random r = new Random(1);
        Process p = Cli.start(tmp.resolve("hammered.log"), command("hammered", "--checkpoint-batches", "1"));
        waitFor(p, tmp.resolve("hammered.log"), dir, s -> s.path("step").asLong() > 0);
        int kills = 0;
        while (kills < 4) {
            // checkpoints are written after every batch: a kill often lands inside one
            Thread.sleep(200 + r.nextInt(600));
            p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            kills++;
            Path last = dir.resolve("checkpoints/last");
            assertTrue(Checkpoint.exists(last), "a checkpoint survives kill " + kills);
            Checkpoint.read(last); // readable, complete
            if (trainState(dir).path("epoch").asInt() >= 3) {
                break;
            }
            long step = trainState(dir).path("step").asLong();
            Path log = tmp.resolve("hammered" + kills + ".log");
            p = Cli.start(log, "train", "--resume", dir.toString());
            waitFor(p, log, dir, s -> s.path("step").asLong() > step);
        }
        if (p.isAlive()) {
            p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
        // a kill after the last epoch's checkpoint but before the test evaluation leaves a run
        // whose resume only has to finish it
        if (trainState(dir).path("epoch").asInt() < 3 || !Files.exists(dir.resolve("test.json"))) {
            Path log = tmp.resolve("hammered-final.log");
            assertEquals(0, Cli.run(log, "train", "--resume", dir.toString()), Cli.read(log));
        }
        assertSameTraining(a, dir);
    }

    private interface StateTest {
        boolean test(JsonNode trainState);
    }

    private static void waitFor(Process p, Path log, Path dir, StateTest cond) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
        while (System.nanoTime() < deadline) {
            // only look, never Checkpoint.exists(): that finishes interrupted saves, i.e. writes,
            // and must not run beside the live writer
            if (Files.isRegularFile(dir.resolve("checkpoints/last/training.json")) && cond.test(trainState(dir))) {
                return;
            }
            if (!p.isAlive()) {
                throw new AssertionError("the run ended before the awaited checkpoint (exit " + p.exitValue() + "):\n"
                        + Cli.read(log));
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no such checkpoint within 10 minutes");
    }

    private static JsonNode trainState(Path dir) throws IOException {
        Path f = dir.resolve("checkpoints/last/training.json");
        for (int attempt = 0; ; attempt++) {
            try {
                return JSON.readTree(f.toFile()).path("state").path("train");
            } catch (IOException | RuntimeException e) {
                if (attempt > 50) {
                    throw new IOException("cannot read " + f, e);
                }
                try {
                    Thread.sleep(20); // replaced between exists() and the read
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted", e);
                }
            }
        }
    }

    /** Per-epoch metrics (not timings) and final weights identical. */
    private static void assertSameTraining(Path expected, Path actual) throws IOException {
        List<JsonNode> a = rows(expected);
        List<JsonNode> b = rows(actual);
        assertEquals(a.size(), b.size(), "epochs");
        for (int i = 0; i < a.size(); i++) {
            for (String k : List.of("epoch", "step", "train_loss", "train_acc", "valid_loss", "valid_acc", "lr")) {
                assertEquals(a.get(i).get(k), b.get(i).get(k), k + " of epoch " + (i + 1));
            }
        }
        for (String cp : List.of("last", "best")) {
            assertArrayEquals(Files.readAllBytes(expected.resolve("checkpoints").resolve(cp).resolve(Checkpoint.WEIGHTS)),
                    Files.readAllBytes(actual.resolve("checkpoints").resolve(cp).resolve(Checkpoint.WEIGHTS)),
                    cp + " weights bit-identical");
        }
        assertEquals(JSON.readTree(expected.resolve("test.json").toFile()).get("accuracy"),
                JSON.readTree(actual.resolve("test.json").toFile()).get("accuracy"), "test accuracy");
    }

    private static List<JsonNode> rows(Path run) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        for (String line : Files.readAllLines(run.resolve("metrics.jsonl"))) {
            out.add(JSON.readTree(line));
        }
        return out;
    }
}
