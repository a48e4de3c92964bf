package org.convkit.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.convkit.core.ConvkitException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunComparisonTest {
    @Test
    void tableOfWhatDiffersAndTheMetrics(@TempDir Path tmp) throws Exception {
        Path a = TestRuns.run(tmp, "sgd-lr0.1", Map.of("lr", 0.1), 5, 0.90);
        Path b = TestRuns.run(tmp, "sgd-lr0.01", Map.of("lr", 0.01), 5, 0.86);
        Path c = TestRuns.run(tmp, "adam", Map.of("lr", 0.001, "optimizer", "adam", "betas", List.of(0.9, 0.999)), 3, 0.91);
        // a run whose best epoch is not its last
        Files.writeString(c.resolve("metrics.csv"), """
                epoch,train_loss,train_acc,valid_loss,valid_acc,lr,seconds,data_wait
                1,0.8,0.7,0.7,0.80,0.001,60,0.1
                2,0.5,0.85,0.5,0.91,0.001,60,0.1
                3,0.3,0.90,0.6,0.88,0.001,61.5,0.1
                """);
        RunComparison cmp = RunComparison.of(List.of(a, b, c));
        assertEquals(List.of("epochs", "lr", "optimizer", "betas"), cmp.differingKeys());
        RunComparison.Row ra = cmp.rows().get(0);
        assertEquals("sgd-lr0.1", ra.run());
        assertEquals("0.1", ra.config().get("lr"));
        assertEquals("", ra.config().get("betas"));
        assertEquals(5, ra.epochs());
        assertEquals(0.90, ra.finalValidAcc(), 1e-9);
        RunComparison.Row rc = cmp.rows().get(2);
        assertEquals("[0.9,0.999]", rc.config().get("betas"));
        assertEquals(0.88, rc.finalValidAcc(), 1e-12);
        assertEquals(0.91, rc.bestValidAcc(), 1e-12);
        assertEquals(2, rc.bestEpoch());
        assertEquals(0.3, rc.finalTrainLoss(), 1e-12);
        assertEquals(181.5, rc.seconds(), 1e-9);

        String table = cmp.toTable();
        String[] lines = table.split("\n");
        assertEquals(4, lines.length, table);
        assertTrue(lines[0].startsWith("run ") && lines[0].contains("lr") && lines[0].contains("best valid_acc"), table);
        assertTrue(lines[3].contains("88.00%") && lines[3].contains("91.00%") && lines[3].contains("3m02s"), table);
        assertTrue(!lines[0].contains("seed") && !lines[0].contains("batch-size"), "equal values are not shown");

        Path png = tmp.resolve("out/compare.png");
        cmp.plot(png);
        assertEquals(900, ImageIO.read(png.toFile()).getWidth());
    }

    @Test
    void runsWithoutValidationAndSameNames(@TempDir Path tmp) throws Exception {
        Path a = TestRuns.run(tmp.resolve("x"), "r", Map.of(), 2, 0.8);
        Path b = TestRuns.run(tmp.resolve("y"), "r", Map.of(), 2, 0.8);
        Files.writeString(b.resolve("metrics.csv"), "epoch,train_loss,train_acc\n1,0.5,0.8\n");
        RunComparison cmp = RunComparison.of(List.of(a, b));
        assertEquals(a.toString(), cmp.rows().get(0).run(), "same folder names: the paths tell them apart");
        assertNull(cmp.rows().get(1).finalValidAcc());
        assertNull(cmp.rows().get(1).bestEpoch());
        assertTrue(cmp.toTable().contains("identical"));
        assertTrue(cmp.toTable().split("\n")[2].contains("n/a"));
    }

    @Test
    void aFolderThatIsNotARunIsNamed(@TempDir Path tmp) throws Exception {
        Path empty = Files.createDirectories(tmp.resolve("nothing"));
        ConvkitException e = assertThrows(ConvkitException.class, () -> RunComparison.of(List.of(empty)));
        assertTrue(e.getMessage().contains("nothing") && e.getMessage().contains("not a run folder"), e.getMessage());
    }
}
