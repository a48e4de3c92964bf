package org.convkit.serve;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.convkit.eval.EvalFixtures;
import org.convkit.train.TrainConfig;
import org.convkit.train.run.Training;

/**
 * A small model that has learned something: simplecnn (8,16 channels, 32x32 RGB) trained for a few
 * epochs on drawn circles, squares and stripes, so its answers are confident and a wrong image in
 * the wrong place shows. Trained once per JVM (seconds) and shared by the test classes.
 */
final class Shapes {
    private static Path root;
    private static Path run;

    private Shapes() {}

    /** The trained run folder (its checkpoints/best is what the server loads). */
    static synchronized Path run() {
        if (run == null) {
            try {
                root = Files.createTempDirectory("serve-shapes");
                Runtime.getRuntime().addShutdownHook(new Thread(Shapes::delete));
                Path data = root.resolve("data");
                EvalFixtures.imageFolder(data, "train", 40, 1);
                EvalFixtures.imageFolder(data, "test", 8, 2);
                Map<String, Object> config = Map.ofEntries(Map.entry("data", data.toString()), Map.entry("model", "simplecnn"),
                        Map.entry("arch", "8,16"), Map.entry("fc", ""), Map.entry("image-size", 32), Map.entry("epochs", 4),
                        Map.entry("batch-size", 16), Map.entry("lr", 0.05), Map.entry("seed", 3L),
                        Map.entry("runs-dir", root.resolve("runs").toString()), Map.entry("run", "shapes"),
                        Map.entry("workers", 1));
                Training.Outcome o = Training.run(TrainConfig.fromMap(config, "test"), new PrintStream(OutputStream.nullOutputStream()));
                run = o.runDir();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return run;
    }

    /** {@code n} new images of the three shapes (PNG and JPEG alternating), as files in {@code dir}. */
    static List<Path> images(Path dir, int n, long seed) throws IOException {
        Random rnd = new Random(seed);
        List<Path> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(EvalFixtures.write(EvalFixtures.draw(i % 3, rnd),
                    dir.resolve(String.format("%03d-%s.%s", i, EvalFixtures.SHAPES.get(i % 3), i % 2 == 0 ? "png" : "jpg"))));
        }
        return out;
    }

    private static void delete() {
        try (var files = Files.walk(root)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            // a temporary folder: the OS cleans it eventually
        }
    }
}
