package org.convkit.train.callback;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.convkit.core.Json;
import org.convkit.train.lrfind.LrFinder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The three files of a range test, as a script reads them back. */
class LrFindReportTest {
    @Test
    void writesPlotTableAndSummary(@TempDir Path dir) throws Exception {
        List<LrFinder.Point> points = List.of(new LrFinder.Point(1e-4, 2.3, 2.3), new LrFinder.Point(1e-3, 2.0, 2.15),
                new LrFinder.Point(1e-2, 1.5, 1.9), new LrFinder.Point(1e-1, 4.0, 2.5));
        LrFinder.Result r = new LrFinder.Result(points, 1e-3, "steepest", 1e-2, 1e-3, "reached --end 0.1");
        Path png = LrFindReport.write(r, dir.resolve("out"));
        assertTrue(Files.size(png) > 1000, "a plot");
        assertEquals(List.of("lr,loss,smoothed", "0.000100000,2.30000,2.30000", "0.00100000,2.00000,2.15000",
                "0.0100000,1.50000,1.90000", "0.100000,4.00000,2.50000"),
                Files.readAllLines(dir.resolve("out/lr-find.csv")));
        var summary = Json.mapper().readTree(dir.resolve("out/lr-find.json").toFile());
        assertEquals(1e-3, summary.get("suggestion").asDouble());
        assertEquals(4, summary.get("steps").asInt());
    }
}
