package org.convkit.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.convkit.report.EpochLog;
import org.convkit.report.RunFolder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fine-tuning on real photos (the CIFAR-10 JPEGs of ../shared/datasets): a small ResNet pretrained
 * on four vehicle classes, then cat vs dog, in phases and on cached features; and torchvision's
 * ResNet-18 weights (a .pth written by PyTorch itself) on gray images with --adapt-channels.
 * Small subsets: about a minute.
 */
@Tag("integration")
class CifarFineTuneIT {
    static final Path TAR = org.convkit.SharedData.cifar10Jpg();

    @TempDir
    static Path tmp;
    static Path runs;
    static Path cifar;

    @BeforeAll
    static void extract() throws Exception {
        org.convkit.Needs.optional(Files.isRegularFile(TAR), TAR + " (the workspace's shared data; not installed by CI)");
        cifar = Files.createDirectories(tmp.resolve("cifar"));
        Process tar = new ProcessBuilder("tar", "xzf", TAR.toString(), "-C", cifar.toString()).inheritIO().start();
        assertEquals(0, tar.waitFor());
        runs = tmp.resolve("runs");
    }

    /** root/split/class/ with links to the first {@code count} files of each class. */
    static Path subset(String name, int train, int test, String... classes) throws Exception {
        Path root = tmp.resolve(name);
        for (String split : List.of("train", "test")) {
            for (String c : classes) {
                Path dir = Files.createDirectories(root.resolve(split).resolve(c));
                try (Stream<Path> files = Files.list(cifar.resolve(split).resolve(c))) {
                    for (Path f : files.sorted().limit(split.equals("train") ? train : test).toList()) {
                        Files.createSymbolicLink(dir.resolve(f.getFileName()), f);
                    }
                }
            }
        }
        return root;
    }

    @Test
    void pretrainedOnVehiclesFineTunedOnCatsAndDogs() throws Exception {
        Path vehicles = subset("vehicles", 250, 50, "airplane", "automobile", "ship", "truck");
        Path catdog = subset("catdog", 150, 100, "cat", "dog");
        InProcess.Result pre = InProcess.convkit(runs, "train", "--data", vehicles.toString(), "--model", "resnet18",
                "--stem", "cifar", "--width", "0.125", "--epochs", "2", "--batch-size", "32", "--run", "vehicles");
        assertEquals(0, pre.exit(), pre.out());

        InProcess.Result full = InProcess.convkit(runs, "finetune", "--from", runs.resolve("vehicles").toString(), "--data",
                catdog.toString(), "--epochs", "3", "--freeze-epochs", "1", "--unfreeze", "last:2", "--batch-size", "32",
                "--lr", "0.02", "--run", "full");
        assertEquals(0, full.exit(), full.out());
        JsonNode phases = new ObjectMapper().readTree(runs.resolve("full/freezing.json").toFile()).path("phases");
        assertTrue(phases.get(0).path("frozen_held").asBoolean(), "BatchNorm statistics of the frozen backbone held");
        assertTrue(phases.get(1).path("frozen_held").asBoolean());
        assertEquals("[\"layer3\",\"layer4\",\"pool\"]", phases.get(1).path("trained_stages").toString());
        assertTrue(phases.get(1).path("trained_changed").asBoolean(), "the unfrozen stages trained");

        InProcess.Result feat = InProcess.convkit(runs, "finetune", "--from", runs.resolve("vehicles").toString(), "--data",
                catdog.toString(), "--epochs", "3", "--mode", "features", "--batch-size", "32", "--lr", "0.02", "--run", "feat");
        assertEquals(0, feat.exit(), feat.out());
        EpochLog m = RunFolder.open(runs.resolve("feat")).metrics();
        double cached = m.column("valid_acc")[m.best("valid_acc", true).orElseThrow()];
        double images = new ObjectMapper().readTree(runs.resolve("feat/eval.json").toFile()).path("accuracy").asDouble();
        assertEquals(cached, images, 1e-9, "features cached from the JPEGs give what the images give");
        JsonNode test = new ObjectMapper().readTree(runs.resolve("feat/test.json").toFile());
        assertEquals(200, test.path("samples").asInt(), "every test image evaluated once");
    }

    @Test
    void torchvisionWeightsOnGrayImagesNeedAdaptedChannels() throws Exception {
        org.convkit.Needs.torch();
        Path weights = Files.createDirectories(tmp.resolve("tv"));
        Process py = new ProcessBuilder(Torch.PYTHON.toString(), org.convkit.TestPaths.python("torch_weights.py").toString(), "fidelity",
                weights.toString(), "resnet18").inheritIO().start();
        assertEquals(0, py.waitFor());
        Path gray = tmp.resolve("gray");
        for (String split : List.of("train", "test")) {
            for (String c : List.of("cat", "dog")) {
                Path dir = Files.createDirectories(gray.resolve(split).resolve(c));
                try (Stream<Path> files = Files.list(cifar.resolve(split).resolve(c))) {
                    for (Path f : files.sorted().limit(split.equals("train") ? 60 : 20).toList()) {
                        BufferedImage rgb = ImageIO.read(f.toFile());
                        BufferedImage g = new BufferedImage(rgb.getWidth(), rgb.getHeight(), BufferedImage.TYPE_BYTE_GRAY);
                        g.getGraphics().drawImage(rgb, 0, 0, null);
                        ImageIO.write(g, "png", dir.resolve(f.getFileName().toString().replace(".jpg", ".png")).toFile());
                    }
                }
            }
        }
        Path pth = weights.resolve("resnet18.pth");
        InProcess.Result refused = InProcess.convkit(runs, "finetune", "--from", pth.toString(), "--model", "resnet18",
                "--data", gray.toString(), "--epochs", "1", "--mode", "features", "--batch-size", "16", "--run", "tv-refused");
        assertEquals(1, refused.exit(), refused.out());
        assertTrue(refused.out().contains("3-channel") && refused.out().contains("--adapt-channels"), refused.out());

        InProcess.Result adapted = InProcess.convkit(runs, "finetune", "--from", pth.toString(), "--model", "resnet18",
                "--data", gray.toString(), "--epochs", "2", "--mode", "features", "--adapt-channels", "--batch-size", "16",
                "--run", "tv");
        assertEquals(0, adapted.exit(), adapted.out());
        assertTrue(adapted.out().contains("(pytorch keys)") && adapted.out().contains("features of train: 108 x [512]"),
                adapted.out());
        JsonNode cfg = new ObjectMapper().readTree(runs.resolve("tv/config.json").toFile());
        assertEquals("imagenet", cfg.path("normalize").asText(), "torchvision weights expect ImageNet's normalization");
    }
}
