package org.convkit.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class RunFilesTest {
    @Test
    void aRunNameGoesUnderTheRunsFolderAndAPathStaysWhereItPoints() {
        assertEquals(Path.of("runs", "flowers"), RunFiles.runFolder("runs", "flowers"));
        assertEquals(Path.of("runs", "exp", "a"), RunFiles.runFolder("runs", "exp/a"));
        // was runs/tmp/x/a: the absolute path was nested below the runs folder
        assertEquals(Path.of("/tmp/x/a"), RunFiles.runFolder("runs", "/tmp/x/a"));
        assertEquals(Path.of("/data/runs/b"), RunFiles.runFolder("/data/runs", "b"));
    }
}
