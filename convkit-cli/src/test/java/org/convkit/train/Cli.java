package org.convkit.train;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;

/** Runs {@code convkit} in a separate JVM as a user would, and makes small image folders for it. */
final class Cli {
    private Cli() {}

    /** A process running {@code convkit args...} with the test class path; output to {@code log}. */
    static Process start(Path log, String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add("-Dai.djl.offline=true");
        cmd.add("-Dai.djl.pytorch.num_interop_threads=1");
        cmd.add("org.convkit.cli.Main");
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    /**
     * Runs {@code convkit args...} in a shell after {@code ulimit -v kb} (address space), with a
     * small JVM that fits in it; output to {@code log}; returns the exit code.
     */
    static int runLimited(long kb, Path log, String... args) throws IOException, InterruptedException {
        StringBuilder cmd = new StringBuilder("ulimit -v " + kb + " && exec '"
                + Path.of(System.getProperty("java.home"), "bin", "java") + "' -Xmx512m -XX:ReservedCodeCacheSize=64m"
                + " -XX:CompressedClassSpaceSize=64m -XX:MaxMetaspaceSize=128m -XX:+UseSerialGC"
                + " -Dai.djl.offline=true -Dai.djl.pytorch.num_interop_threads=1 -cp '"
                + System.getProperty("java.class.path") + "' org.convkit.cli.Main");
        for (String a : args) {
            cmd.append(" '").append(a.replace("'", "'\\''")).append("'");
        }
        ProcessBuilder pb = new ProcessBuilder("bash", "-c", cmd.toString()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        // glibc's malloc, for which the limits of these tests were chosen: under the jemalloc the
        // tests' JVMs preload (pom.xml) the same run fitted in the address space and never failed
        pb.environment().remove("LD_PRELOAD");
        pb.environment().remove("MALLOC_CONF");
        Process p = pb.start();
        if (!p.waitFor(20, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new IllegalStateException("convkit did not finish in 20 minutes");
        }
        return p.exitValue();
    }

    /** Runs to the end; returns the exit code. */
    static int run(Path log, String... args) throws IOException, InterruptedException {
        Process p = start(log, args);
        if (!p.waitFor(20, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new IllegalStateException("convkit did not finish in 20 minutes: " + String.join(" ", args));
        }
        return p.exitValue();
    }

    static String read(Path log) throws IOException {
        return Files.readString(log, StandardCharsets.UTF_8);
    }

    /**
     * An ImageFolder with train/ and test/: {@code classes} classes of {@code size}x{@code size} PNGs
     * told apart by where a bright square sits, with noise; {@code perClass} training images each.
     */
    static Path imageFolder(Path root, int classes, int perClass, int size, long seed) throws IOException {
        Random r = new Random(seed);
        for (String split : List.of("train", "test")) {
            int n = split.equals("train") ? perClass : Math.max(2, perClass / 4);
            for (int c = 0; c < classes; c++) {
                Path dir = Files.createDirectories(root.resolve(split).resolve("class" + c));
                for (int i = 0; i < n; i++) {
                    BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
                    for (int y = 0; y < size; y++) {
                        for (int x = 0; x < size; x++) {
                            int v = 60 + r.nextInt(60);
                            img.setRGB(x, y, new Color(v, v, v).getRGB());
                        }
                    }
                    Graphics2D g = img.createGraphics();
                    g.setColor(new Color(230, 200 - 30 * (c % 4), 40 * c % 255));
                    int s = size / 2;
                    int x0 = (c % 2) * s + r.nextInt(3) - 1;
                    int y0 = (c / 2 % 2) * s + r.nextInt(3) - 1;
                    g.fillRect(Math.max(0, x0), Math.max(0, y0), s, s);
                    g.dispose();
                    ImageIO.write(img, "png", dir.resolve(String.format("%04d.png", i)).toFile());
                }
            }
        }
        return root;
    }
}
