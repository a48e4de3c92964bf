package org.convkit.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.XYChart;

class CurvesPlotTest {
    @TempDir
    Path tmp;

    private EpochLog log() throws IOException {
        Path csv = tmp.resolve("metrics.csv");
        Files.write(csv, List.of("epoch,train_loss,train_acc,valid_loss,valid_acc",
                "1,0.9,0.8,0.4,0.88", "2,0.8,0.85,0.35,0.9"));
        return EpochLog.readIfExists(csv);
    }

    /** A smoothed training loss sits above the plain validation loss by construction: the legend says why. */
    @Test
    void smoothedTrainingLossIsNamedAsSuch() throws IOException {
        List<XYChart> smoothed = CurvesPlot.charts(log(), "label smoothing 0.1", "");
        assertEquals(2, smoothed.size());
        assertEquals(List.of("train (label smoothing 0.1)", "valid"), List.copyOf(smoothed.get(0).getSeriesMap().keySet()));
        assertEquals(List.of("train", "valid"), List.copyOf(smoothed.get(1).getSeriesMap().keySet()));
        assertEquals(List.of("train", "valid"), List.copyOf(CurvesPlot.charts(log(), "", "").get(0).getSeriesMap().keySet()));
        assertTrue(CurvesPlot.render(log(), "label smoothing 0.1", "").isPresent());
    }

    /** The report finds smoothing and mixing under the keys the trainer saves them with. */
    @Test
    void theReportReadsTheTrainersKeys() {
        for (String key : List.of(RunReport.LABEL_SMOOTHING, RunReport.MIXUP, RunReport.CUTMIX)) {
            assertTrue(org.convkit.train.TrainConfig.keys().contains(key), key);
        }
        assertEquals("label smoothing 0.1", RunReport.smoothingNote(java.util.Map.of(RunReport.LABEL_SMOOTHING, 0.1)));
        assertEquals("", RunReport.smoothingNote(java.util.Map.of()));
        assertEquals("mixup 0.2, cutmix 1.0",
                RunReport.mixingNote(java.util.Map.of(RunReport.MIXUP, 0.2, RunReport.CUTMIX, 1.0)));
        assertEquals("", RunReport.mixingNote(java.util.Map.of(RunReport.MIXUP, 0.0)));
    }
}
