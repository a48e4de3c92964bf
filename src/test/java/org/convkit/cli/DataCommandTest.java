package org.convkit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.convkit.data.TestImages;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataCommandTest {
    @TempDir
    Path dir;

    /** Runs the CLI, returns {exit code, stdout, stderr}. */
    private static String[] run(String... args) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
            int code = Main.run(args);
            return new String[] {Integer.toString(code), o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8)};
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

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
        String[] p = run("data", "pack", src.toString(), "--out", out.toString(), "--shard-size", "2k");
        assertEquals("0", p[0], p[2]);
        assertTrue(p[1].contains("train      10 records"), p[1]);
        assertTrue(p[1].matches("(?s).*ratio \\d+\\.\\d\\d.*"), p[1]);
        assertTrue(p[1].contains("empty.png: empty file"), p[1]);
        String[] v = run("data", "verify", out.toString());
        assertEquals("0", v[0], v[1] + v[2]);
        assertTrue(v[1].startsWith("ok: 11 records"), v[1]);
        Path shard = out.resolve("train-00001.shard");
        try (RandomAccessFile f = new RandomAccessFile(shard.toFile(), "rw")) {
            f.seek(30);
            f.write(f.read() ^ 1);
        }
        String[] bad = run("data", "verify", out.toString());
        assertEquals("1", bad[0]);
        assertTrue(bad[1].contains("train-00001.shard @ offset 8 (record 0): CRC32C mismatch"), bad[1]);
        String[] again = run("data", "pack", src.toString(), "--out", out.toString());
        assertEquals("1", again[0]);
        assertTrue(again[2].contains("--force"), again[2]);
    }

    @Test
    void inspectJsonAndSheet() throws Exception {
        Path src = data();
        Path sheet = dir.resolve("sheet.png");
        String[] r = run("data", "inspect", src.toString(), "--json", "--sheet", sheet.toString());
        assertEquals("0", r[0], r[2]);
        JsonNode j = new ObjectMapper().readTree(r[1]);
        assertEquals("train", j.get("splits").get(0).get("split").asText());
        assertEquals(5, j.get("splits").get(0).get("classCounts").get("b").asInt());
        assertEquals(5, j.get("splits").get(0).get("sizes").get("12x10").asInt());
        assertTrue(j.get("skipped").get(0).get("file").asText().endsWith("empty.png"));
        assertTrue(Files.size(sheet) > 100);
        String[] text = run("data", "inspect", src.toString(), "--valid-split", "0.2");
        assertTrue(text[1].contains("valid: 2 samples"), text[1]);
    }

    @Test
    void aMissingDatasetIsAClearErrorWithoutStackTrace() {
        String[] r = run("data", "inspect", dir.resolve("nope").toString());
        assertEquals("1", r[0]);
        assertTrue(r[2].startsWith("error: ") && r[2].contains("no such file or folder") && !r[2].contains("\tat "), r[2]);
    }
}
