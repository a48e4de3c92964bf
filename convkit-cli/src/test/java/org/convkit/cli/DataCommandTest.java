package org.convkit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import org.convkit.data.TestImages;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataCommandTest {
    @TempDir
    Path dir;

    private Path data() {
        Path r = dir.resolve("src");
        for (int i = 0; i < 5; i++) {
            TestImages.write(r.resolve("train/a/" + i + ".jpg"), 12, 12, i);
            TestImages.write(r.resolve("train/b/" + i + ".png"), 12, 10, 10 + i);
        }
        TestImages.write(r.resolve("test/a/x.jpg"), 12, 12, 20);
        TestImages.bytes(r.resolve("train/b/empty.png"), new byte[0]);
        return r;
    }

    @Test
    void packVerifyAndAFailedVerify() throws Exception {
        Path src = data();
        Path out = dir.resolve("shards");
        CliRun p = CliRun.of("data", "pack", src.toString(), "--out", out.toString(), "--shard-size", "2k");
        assertEquals(0, p.exit, p.err);
        assertTrue(p.out.contains("train      10 records"), p.out);
        assertTrue(p.out.matches("(?s).*ratio \\d+\\.\\d\\d.*"), p.out);
        assertTrue(p.out.contains("empty.png: empty file"), p.out);
        CliRun v = CliRun.of("data", "verify", out.toString());
        assertEquals(0, v.exit, v.out + v.err);
        assertTrue(v.out.startsWith("ok: 11 records"), v.out);
        Path shard = out.resolve("train-00001.shard");
        try (RandomAccessFile f = new RandomAccessFile(shard.toFile(), "rw")) {
            f.seek(30);
            f.write(f.read() ^ 1);
        }
        CliRun bad = CliRun.of("data", "verify", out.toString());
        assertEquals(1, bad.exit);
        assertTrue(bad.out.contains("train-00001.shard @ offset 8 (record 0): CRC32C mismatch"), bad.out);
        CliRun again = CliRun.of("data", "pack", src.toString(), "--out", out.toString());
        assertEquals(1, again.exit);
        assertTrue(again.err.contains("--force"), again.err);
    }

    @Test
    void inspectJsonAndSheet() throws Exception {
        Path src = data();
        Path sheet = dir.resolve("sheet.png");
        CliRun r = CliRun.of("data", "inspect", src.toString(), "--json", "--sheet", sheet.toString());
        assertEquals(0, r.exit, r.err);
        JsonNode j = new ObjectMapper().readTree(r.out);
        assertEquals("train", j.get("splits").get(0).get("split").asText());
        assertEquals(5, j.get("splits").get(0).get("classCounts").get("b").asInt());
        assertEquals(5, j.get("splits").get(0).get("sizes").get("12x10").asInt());
        assertTrue(j.get("skipped").get(0).get("file").asText().endsWith("empty.png"));
        assertTrue(Files.size(sheet) > 100);
        CliRun text = CliRun.of("data", "inspect", src.toString(), "--valid-split", "0.2");
        assertTrue(text.out.contains("valid: 2 samples"), text.out);
    }

    @Test
    void theSheetOfAFolderOfSquareImagesIsDrawnAtTheirOwnSize() {
        // a folder declares no size; the help promises the images' own size when they all share one
        Path r = dir.resolve("square");
        for (int i = 0; i < 3; i++) {
            TestImages.write(r.resolve("train/a/" + i + ".png"), 16, 16, i);
            TestImages.write(r.resolve("train/b/" + i + ".png"), 16, 16, 10 + i);
        }
        CliRun same = CliRun.of("data", "inspect", r.toString(), "--sheet", dir.resolve("s.png").toString());
        assertEquals(0, same.exit, same.err);
        assertTrue(same.err.contains("after resize=16,centercrop=16,randomcrop=16:padding=2"), same.err);
        // two sizes: no own size, so the documented fallback
        CliRun mixed = CliRun.of("data", "inspect", data().toString(), "--sheet", dir.resolve("m.png").toString());
        assertEquals(0, mixed.exit, mixed.err);
        assertTrue(mixed.err.contains("after randomresizedcrop=224"), mixed.err);
    }

    @Test
    void anIdxFolderOfAnyNamePacksAndInspectsWithTheClassesOfItsLabels() throws Exception {
        // MNIST's file format in a folder whose name says neither mnist nor fashion
        Path src = dir.resolve("scans");
        TestImages.idx(src, "train", 6, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1);
        TestImages.idx(src, "t10k", 6, 4, 0);
        Path out = dir.resolve("shards");
        CliRun pack = CliRun.of("data", "pack", src.toString(), "--out", out.toString());
        assertEquals(0, pack.exit, pack.out + pack.err);
        JsonNode manifest = new ObjectMapper().readTree(out.resolve("manifest.json").toFile());
        assertEquals("[\"0\",\"1\",\"2\",\"3\",\"4\"]", manifest.get("classes").toString());
        CliRun inspect = CliRun.of("data", "inspect", src.toString(), "--json");
        assertEquals(0, inspect.exit, inspect.err);
        JsonNode j = new ObjectMapper().readTree(inspect.out);
        JsonNode test = null;
        for (JsonNode split : j.get("splits")) {
            test = split.get("split").asText().equals("test") ? split : test;
        }
        assertEquals(1, test.get("classCounts").get("4").asInt(), j.toString());
        assertEquals(5, test.get("classCounts").size(), "every class counted, also those a split lacks");
    }

    @Test
    void aMissingDatasetIsAClearErrorWithoutStackTrace() {
        CliRun r = CliRun.of("data", "inspect", dir.resolve("nope").toString());
        assertEquals(1, r.exit);
        assertTrue(r.err.startsWith("error: ") && r.err.contains("no such file or folder") && !r.err.contains("\tat "), r.err);
    }
}
