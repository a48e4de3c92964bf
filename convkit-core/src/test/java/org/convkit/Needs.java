package org.convkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * What a test needs from the machine. Where {@code .ci/run} installs it (Debian packages: PyTorch,
 * Fashion-MNIST, chromium, libturbojpeg, the photos), a test without it <b>fails</b> under {@code
 * CI=true} (a skipped oracle test in CI is a check that never ran) and is skipped with the reason
 * elsewhere. What CI does not install (the workspace's shared datasets, fonts) only ever skips:
 * {@link #optional}.
 */
public final class Needs {
    public static final Path PYTHON = Path.of("/usr/bin/python3");
    public static final Path FASHION_MNIST = Path.of("/usr/share/datasets/fashion-mnist");
    public static final Path PHOTOS = Path.of("/usr/share/backgrounds/mate/nature");
    public static final Path CHROMIUM = Path.of("/usr/bin/chromium");

    private static Boolean torch;

    private Needs() {}

    /** Whether this run is CI's ({@code CI=true}), where every package {@code .ci/run} installs is present. */
    public static boolean ci() {
        return "true".equals(System.getenv("CI"));
    }

    /**
     * Goes on when {@code present}; otherwise fails under CI=true and skips elsewhere, saying {@code
     * what} is missing and how to get it.
     */
    public static void need(boolean present, String what) {
        if (ci()) {
            Assertions.assertTrue(present, "CI=true and .ci/run's package is missing: " + what);
        } else {
            Assumptions.assumeTrue(present, "skipped: needs " + what);
        }
    }

    /**
     * For a test that does more with it and less without (extra cases): returns {@code present},
     * says what was left out when absent, and fails under CI=true like {@link #need}.
     */
    public static boolean has(boolean present, String what) {
        if (!present) {
            Assertions.assertFalse(ci(), "CI=true and .ci/run's package is missing: " + what);
            System.out.println("left out: needs " + what);
        }
        return present;
    }

    /** For what CI does not install (the workspace's shared data, fonts): skips, always, with the reason. */
    public static void optional(boolean present, String what) {
        Assumptions.assumeTrue(present, "skipped: needs " + what);
    }

    /** Debian's PyTorch for /usr/bin/python3 (torch and torchvision), the oracle of the fidelity tests. */
    public static void torch() {
        need(torchAvailable(), PYTHON + " with torch and torchvision (apt-get install python3-torch python3-torchvision)");
    }

    /** Debian's Fashion-MNIST; returns its folder. */
    public static Path fashionMnist() {
        need(Files.isDirectory(FASHION_MNIST), "Debian's Fashion-MNIST in " + FASHION_MNIST
                + " (apt-get install dataset-fashion-mnist)");
        return FASHION_MNIST;
    }

    /** A headless browser for the report pages. */
    public static void chromium() {
        need(Files.isExecutable(CHROMIUM), CHROMIUM + " (apt-get install chromium)");
    }

    public static synchronized boolean torchAvailable() {
        if (torch == null) {
            torch = false;
            if (Files.isExecutable(PYTHON)) {
                try {
                    Process p = new ProcessBuilder(PYTHON.toString(), "-c", "import torch, torchvision")
                            .redirectErrorStream(true).start();
                    p.getInputStream().readAllBytes();
                    torch = p.waitFor(120, TimeUnit.SECONDS) && p.exitValue() == 0;
                } catch (IOException e) {
                    torch = false;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        return torch;
    }
}
