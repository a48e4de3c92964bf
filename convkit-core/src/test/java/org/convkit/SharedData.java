package org.convkit;

import java.nio.file.Files;
import java.nio.file.Path;

/** The data in {@code ../shared/datasets} beside the repository, used by the tests on real photos. */
public final class SharedData {
    private SharedData() {}

    /**
     * The CIFAR-10 JPEG archive: {@code -Dconvkit.cifar10jpg=...}, else {@code
     * ../shared/datasets/cifar10-jpg.tar.gz} beside the repository, else
     * the workspace's {@code /work/shared}. The returned path may not exist: tests assume it does.
     */
    public static Path cifar10Jpg() {
        String property = System.getProperty("convkit.cifar10jpg");
        if (property != null) {
            return Path.of(property);
        }
        Path beside = TestPaths.repo().resolve("../shared/datasets/cifar10-jpg.tar.gz").normalize();
        return Files.isRegularFile(beside) ? beside : Path.of("/work/shared/datasets/cifar10-jpg.tar.gz");
    }
}
