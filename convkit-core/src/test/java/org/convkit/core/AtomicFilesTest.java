package org.convkit.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {
    @TempDir
    Path tmp;

    private static void fill(Path dir, String content) throws IOException {
        AtomicFiles.writeSynced(dir.resolve("data"), out -> out.write(content.getBytes(StandardCharsets.UTF_8)));
        AtomicFiles.writeSynced(dir.resolve("done"), out -> {});
    }

    private static String read(Path dir) throws IOException {
        return Files.readString(dir.resolve("data"));
    }

    @Test
    void fileIsReplacedWhole() throws IOException {
        Path f = tmp.resolve("a.txt");
        AtomicFiles.write(f, out -> out.write('1'));
        AtomicFiles.write(f, out -> out.write('2'));
        assertEquals("2", Files.readString(f));
        try (var s = Files.list(tmp)) {
            assertEquals(1, s.count());
        }
    }

    @Test
    void failingWriterKeepsThePreviousDirectory() throws IOException {
        Path d = tmp.resolve("ck");
        AtomicFiles.writeDirectory(d, "done", dir -> fill(dir, "v1"));
        assertThrows(IOException.class, () -> AtomicFiles.writeDirectory(d, "done", dir -> {
            AtomicFiles.writeSynced(dir.resolve("data"), out -> out.write('x'));
            throw new IOException("disk full");
        }));
        assertEquals("v1", read(d));
        try (var s = Files.list(tmp)) {
            assertEquals(1, s.count(), "temporaries left behind");
        }
    }

    /** The state a writer killed after moving "ck" aside leaves: .ck.old and a .ck.new. */
    private Path crashed(boolean newComplete) throws IOException {
        Files.createDirectories(tmp.resolve(".ck.old"));
        fill(tmp.resolve(".ck.old"), "old");
        Path fresh = Files.createDirectories(tmp.resolve(".ck.new"));
        if (newComplete) {
            fill(fresh, "new");
        } else {
            Files.writeString(fresh.resolve("data"), "half");
        }
        return tmp.resolve("ck");
    }

    /** Killed after the old directory was moved aside, before the new one was complete. */
    @Test
    void recoversTheOldVersionWhenTheNewIsIncomplete() throws IOException {
        Path d = crashed(false);
        assertTrue(AtomicFiles.recoverDirectory(d, "done"));
        assertEquals("old", read(d));
    }

    /** Killed between moving the old directory aside and moving the complete new one in. */
    @Test
    void recoversTheNewVersionWhenItIsComplete() throws IOException {
        Path d = crashed(true);
        assertTrue(AtomicFiles.recoverDirectory(d, "done"));
        assertEquals("new", read(d));
        AtomicFiles.writeDirectory(d, "done", dir -> fill(dir, "newer")); // cleans the leftovers
        assertEquals("newer", read(d));
        assertFalse(Files.exists(tmp.resolve(".ck.old")));
        assertFalse(Files.exists(tmp.resolve(".ck.new")));
    }

    @Test
    void nothingToRecover() throws IOException {
        assertFalse(AtomicFiles.recoverDirectory(tmp.resolve("none"), "done"));
    }
}
