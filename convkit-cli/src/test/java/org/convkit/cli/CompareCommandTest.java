package org.convkit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CompareCommandTest {
    /** A run folder as the trainer writes it: config.json and metrics.csv. */
    static Path run(Path root, String name, Map<String, Object> config, String metricsCsv) throws Exception {
        Path dir = Files.createDirectories(root.resolve(name));
        new ObjectMapper().writeValue(dir.resolve("config.json").toFile(), config);
        Files.writeString(dir.resolve("metrics.csv"), metricsCsv);
        return dir;
    }

    @Test
    void jsonTableAndPlot(@TempDir Path tmp) throws Exception {
        String header = "epoch,train_loss,train_acc,valid_loss,valid_acc,lr,seconds,data_wait\n";
        Path a = run(tmp, "A", Map.of("lr", 0.1, "optimizer", "sgd", "epochs", 2),
                header + "1,0.9,0.7,0.8,0.75,0.1,10,0.1\n2,0.6,0.8,0.7,0.79,0.1,10,0.1\n");
        Path b = run(tmp, "B", Map.of("lr", 0.1, "optimizer", "adam", "epochs", 2),
                header + "1,0.8,0.72,0.7,0.81,0.1,12,0.1\n2,0.5,0.85,0.6,0.80,0.1,12,0.1\n");
        Path png = tmp.resolve("cmp.png");

        CliRun r = CliRun.of("compare", a.toString(), b.toString(), "--json", "--plot", png.toString());
        assertEquals(0, r.exit, r.err);
        JsonNode j = new ObjectMapper().readTree(r.out);
        assertEquals("optimizer", j.get("differing").get(0).asText());
        assertEquals(1, j.get("differing").size());
        assertEquals("adam", j.get("runs").get(1).get("config").get("optimizer").asText());
        assertEquals(0.81, j.get("runs").get(1).get("bestValidAcc").asDouble(), 1e-12);
        assertEquals(1, j.get("runs").get(1).get("bestEpoch").asInt());
        assertEquals(png.toAbsolutePath().toString(), j.get("plot").asText());
        assertTrue(Files.size(png) > 1000);

        CliRun table = CliRun.of("compare", a.toString(), b.toString(), "--plot", png.toString());
        assertEquals(0, table.exit);
        assertTrue(table.out.contains("optimizer") && table.out.contains("81.00%"), table.out);
        assertTrue(table.out.contains("plot: " + png.toAbsolutePath()), table.out);
    }

    @Test
    void notARunIsAUserError(@TempDir Path tmp) {
        CliRun r = CliRun.of("compare", tmp.resolve("missing").toString(), "--plot", tmp.resolve("p.png").toString());
        assertEquals(1, r.exit);
        assertTrue(r.err.startsWith("error: ") && r.err.contains("missing"), r.err);
    }
}
