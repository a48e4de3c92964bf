package org.convkit.spark;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.apache.spark.sql.SparkSession;
import org.convkit.SharedData;
import org.convkit.eval.ModelInput;
import org.convkit.model.ConvNet;
import org.convkit.model.ModelOptions;
import org.convkit.model.Zoo;
import org.convkit.model.weights.Checkpoint;
import org.convkit.model.weights.ModelInfo;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/** Real images, a real checkpoint and a real local Spark, for the Spark tests. */
final class SparkFixtures {
    static final List<String> CIFAR_CLASSES =
            List.of("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck");

    private SparkFixtures() {}

    /** Spark on this machine, two cores: the tests' cluster. */
    static SparkSession local2() {
        return SparkSession.builder().master("local[2]").appName("convkit-spark tests")
                .config("spark.ui.enabled", "false")
                .config("spark.sql.shuffle.partitions", "4")
                .getOrCreate();
    }

    /**
     * {@code root/test/<class>/NNNN.jpg}: the first {@code perClass} CIFAR-10 test JPEGs of each
     * class, and the next {@code trainPerClass} as {@code root/train/<class>/} (so root is in the
     * split layout), from ../shared/datasets. Skips when the archive is missing; fails under
     * CI=true, where it must be there.
     */
    static Path cifarTest(Path root, int perClass, int trainPerClass) throws Exception {
        Path tar = SharedData.cifar10Jpg();
        String why = tar + " (CIFAR-10 JPEGs, ../shared/datasets)";
        if ("true".equals(System.getenv("CI"))) {
            Assertions.assertTrue(Files.isRegularFile(tar), "CI=true and the test data is missing: " + why);
        } else {
            Assumptions.assumeTrue(Files.isRegularFile(tar), "skipped: needs " + why);
        }
        Files.createDirectories(root);
        Process p = new ProcessBuilder("tar", "xzf", tar.toString(), "-C", root.toString(), "test").inheritIO().start();
        Assertions.assertEquals(0, p.waitFor(), "tar xzf " + tar);
        for (String c : CIFAR_CLASSES) {
            List<Path> files;
            try (Stream<Path> s = Files.list(root.resolve("test").resolve(c))) {
                files = s.sorted().toList();
            }
            Path train = Files.createDirectories(root.resolve("train").resolve(c));
            for (Path f : files.subList(perClass, perClass + trainPerClass)) {
                Files.move(f, train.resolve(f.getFileName()));
            }
            for (Path f : files.subList(perClass + trainPerClass, files.size())) {
                Files.delete(f);
            }
        }
        return root;
    }

    /** A truncated JPEG (the first half of a real one): a known format that does not decode. */
    static Path corrupt(Path from, Path to) throws Exception {
        byte[] b = Files.readAllBytes(from);
        Files.createDirectories(to.getParent());
        return Files.write(to, java.util.Arrays.copyOf(b, b.length / 2));
    }

    /** A GIF of a real image: not an image file name by predict's rule (torchvision's extensions). */
    static Path gif(Path from, Path to) throws Exception {
        Assertions.assertTrue(ImageIO.write(ImageIO.read(from.toFile()), "gif", to.toFile()), "ImageIO writes GIF");
        return to;
    }

    /**
     * A checkpoint of a small Conv-BN network for 3x32x32 CIFAR images, random weights (answers
     * need not be right to be compared), CIFAR normalization, resize/crop to 32 as its evaluation
     * transform.
     */
    static Path checkpoint(Path dir) {
        ModelOptions o = ModelOptions.defaults().withInput(3, 32, 32).withClasses(10).withArch("16,32").withFc("");
        ConvNet net = Zoo.create("simplecnn", o);
        try (var m = ai.djl.ndarray.NDManager.newBaseManager()) {
            net.initialize(m);
            Checkpoint.save(dir, net, new ModelInfo(CIFAR_CLASSES, new float[] {0.49f, 0.48f, 0.45f},
                    new float[] {0.25f, 0.24f, 0.26f}, Map.of(ModelInput.EVAL_TRANSFORMS, "resize=32,centercrop=32")), null);
        }
        return dir;
    }
}
