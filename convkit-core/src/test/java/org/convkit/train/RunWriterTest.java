package org.convkit.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.convkit.core.ConvkitException;
import org.convkit.core.RunFiles;
import org.convkit.data.Skipped;
import org.convkit.report.EpochLog;
import org.convkit.train.callback.TrainingProgress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunWriterTest {
    private static EpochResult row(int epoch, double validAcc) {
        return new EpochResult(epoch, epoch * 10L, 1.0 / epoch, 0.5 + epoch / 10.0, 0.9 / epoch, validAcc, 0.01 * epoch,
                12.5, 0.03, 2000, 512);
    }

    @Test
    void writesTheContractAndResumeDropsLaterEpochs(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("r");
        RunWriter w = RunWriter.create(dir);
        w.writeConfig(Map.of("epochs", 3));
        w.addEpoch(row(1, 0.8));
        w.addEpoch(row(2, Double.NaN)); // no validation: an empty cell, not "NaN"
        w.addEpoch(row(3, 0.9));
        EpochLog log = EpochLog.read(dir.resolve(RunFiles.METRICS_CSV));
        assertEquals(3, log.size());
        assertEquals(0.8, log.column("valid_acc")[0], 0);
        assertTrue(Double.isNaN(log.column("valid_acc")[1]));
        assertTrue(Files.readAllLines(dir.resolve(RunFiles.METRICS_CSV)).get(2).contains(",,"));
        assertEquals(3, Files.readAllLines(dir.resolve(RunFiles.METRICS_JSONL)).size());

        assertThrows(ConvkitException.class, () -> RunWriter.create(dir), "an existing run is not overwritten");

        RunWriter resumed = RunWriter.resume(dir, 2); // the checkpoint has 2 epochs: epoch 3 runs again
        assertEquals(List.of(1, 2), resumed.rows().stream().map(EpochResult::epoch).toList());
        assertEquals(2, EpochLog.read(dir.resolve(RunFiles.METRICS_CSV)).size());
        assertEquals(1.0 / 1, resumed.rows().get(0).trainLoss(), 0, "values read back exactly");
    }

    @Test
    void extraColumnsFollowTheContractOnesAndSurviveAResume(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("r");
        RunWriter w = RunWriter.create(dir);
        w.addEpoch(row(1, 0.5), Map.of("phase", "head"));
        w.addEpoch(row(2, 0.6), Map.of("phase", "unfrozen", "valid_acc_pos1", 0.75));
        List<String> lines = Files.readAllLines(dir.resolve(RunFiles.METRICS_CSV));
        assertEquals(String.join(",", RunWriter.COLUMNS) + ",phase,valid_acc_pos1", lines.get(0));
        assertTrue(lines.get(1).endsWith(",head,"), lines.get(1));
        assertTrue(lines.get(2).endsWith(",unfrozen,0.75"), lines.get(2));
        RunWriter.resume(dir, 2).addEpoch(row(3, 0.7), Map.of("phase", "unfrozen"));
        List<String> after = Files.readAllLines(dir.resolve(RunFiles.METRICS_CSV));
        assertEquals(lines.get(1), after.get(1), "earlier rows keep their extra cells");
        assertEquals(lines.get(2), after.get(2));
        assertTrue(after.get(3).endsWith(",unfrozen,"), after.get(3));
    }

    @Test
    void skippedSamplesAreListed(@TempDir Path tmp) throws Exception {
        RunWriter w = RunWriter.create(tmp.resolve("r"));
        w.writeSkipped(List.of(new Skipped("train", "cat,01", "/d/cat,01.jpg", "not an image"),
                new Skipped("valid", "dog/2", "/d/dog/2.jpg", "does not decode: bad, truncated")));
        List<String> lines = Files.readAllLines(tmp.resolve("r").resolve(RunFiles.SKIPPED));
        assertEquals(List.of("split,id,reason", "train,\"cat,01\",\"not an image (/d/cat,01.jpg)\"",
                "valid,dog/2,\"does not decode: bad, truncated (/d/dog/2.jpg)\""), lines);
    }

    @Test
    void summaryLineSaysWhatTheEpochDid() {
        String s = TrainingProgress.summary(row(2, 0.9123), 6);
        assertEquals("epoch 2/6  train loss 0.5000 acc 70.00%  valid loss 0.4500 acc 91.23%  lr 0.0200  12.5s  data wait 3%", s);
    }
}
