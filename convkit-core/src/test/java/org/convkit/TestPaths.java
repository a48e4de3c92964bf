package org.convkit;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Paths the tests of every module share. Maven runs each module's tests in that module's folder,
 * so anything outside it is found from the repository root (the folder holding {@code .ci/}).
 */
public final class TestPaths {
    private TestPaths() {}

    /** The repository's root folder. */
    public static Path repo() {
        Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        for (Path d = dir; d != null; d = d.getParent()) {
            if (Files.isDirectory(d.resolve(".ci")) && Files.isRegularFile(d.resolve("pom.xml"))) {
                return d;
            }
        }
        throw new IllegalStateException("not inside the convkit repository: " + dir);
    }

    /** A PyTorch oracle script of the tests ({@code convkit-core/src/test/python/NAME}). */
    public static Path python(String name) {
        return repo().resolve("convkit-core/src/test/python").resolve(name);
    }
}
