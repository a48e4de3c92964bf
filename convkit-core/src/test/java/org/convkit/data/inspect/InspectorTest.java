package org.convkit.data.inspect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import javax.imageio.ImageIO;
import org.convkit.data.Dataset;
import org.convkit.data.load.Datasets;
import org.convkit.data.OpenOptions;
import org.convkit.data.TestImages;
import org.convkit.data.image.Presets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InspectorTest {
    @TempDir
    Path dir;

    /** train: cat 6, dog 2 (+ broken files); valid: a copy of one train image and one new one. */
    private Dataset badData() throws Exception {
        Path r = dir.resolve("d");
        for (int i = 0; i < 6; i++) {
            TestImages.write(r.resolve("train/cat/" + i + ".jpg"), 16 + i, 12, i);
        }
        TestImages.write(r.resolve("train/dog/a.png"), 20, 20, 10);
        TestImages.write(r.resolve("train/dog/tiny.png"), 1, 1, 11);
        byte[] png = TestImages.encode(TestImages.rgb(30, 30, 12), "png");
        TestImages.bytes(r.resolve("train/dog/truncated.png"), TestImages.truncated(png, png.length / 2));
        TestImages.bytes(r.resolve("train/dog/text.jpg"), "just text".getBytes());
        byte[] jpg = TestImages.encode(TestImages.rgb(40, 40, 14), "jpeg");
        TestImages.bytes(r.resolve("train/dog/cut.jpg"), TestImages.truncated(jpg, jpg.length - 100));
        byte[] corrupt = TestImages.encode(TestImages.rgb(30, 30, 13), "png");
        for (int i = 40; i < 80; i++) {
            corrupt[i] = 0;
        }
        TestImages.bytes(r.resolve("train/dog/corrupt.png"), corrupt);
        TestImages.bytes(r.resolve("train/dog/zero.jpg"), new byte[0]);
        Files.copy(r.resolve("train/cat/2.jpg"), Files.createDirectories(r.resolve("valid/cat")).resolve("copy.jpg"));
        TestImages.write(r.resolve("valid/dog/new.jpg"), 16, 16, 99);
        return Datasets.open(r.toString(), OpenOptions.defaults());
    }

    @Test
    void reportsCountsSizesUnreadableImbalanceAndLeakage() throws Exception {
        InspectReport r = Inspector.inspect(badData(), 2);
        InspectReport.SplitReport train = r.splits().get(0);
        assertEquals("train", train.split());
        assertEquals(Map.of("cat", 6, "dog", 6), train.classCounts());
        Map<String, String> bad = train.unreadable().stream()
                .collect(Collectors.toMap(p -> Path.of(p.file()).getFileName().toString(), InspectReport.Problem::reason));
        assertEquals(List.of("corrupt.png", "cut.jpg", "text.jpg", "truncated.png"), bad.keySet().stream().sorted().toList(), bad.toString());
        assertTrue(bad.get("cut.jpg").startsWith("truncated jpeg"), bad.toString());
        assertTrue(bad.get("text.jpg").startsWith("not an image"), bad.toString());
        assertEquals(List.of("dog/tiny"), train.tiny());
        assertEquals(1, train.sizes().get("1x1"));
        assertEquals(1.0, train.imbalance(), 1e-9, "largest / smallest class count");
        assertEquals(1, r.crossSplitDuplicates().size());
        InspectReport.Duplicate d = r.crossSplitDuplicates().get(0);
        assertEquals(List.of("train", "cat/2", "valid", "cat/copy"), List.of(d.firstSplit(), d.firstId(), d.secondSplit(), d.secondId()));
        assertTrue(r.skipped().stream().anyMatch(s -> s.file().endsWith("zero.jpg") && s.reason().contains("0 bytes")));
        assertTrue(r.warnings().stream().anyMatch(w -> w.contains("two splits")), r.warnings().toString());
        assertTrue(r.warnings().stream().anyMatch(w -> w.contains("cannot be read")), r.warnings().toString());
        assertTrue(r.warnings().stream().noneMatch(w -> w.contains("imbalanced")), r.warnings().toString());
    }

    @Test
    void imbalanceAboveTheLevelIsAWarning() throws Exception {
        Path r = dir.resolve("imb");
        for (int i = 0; i < 6; i++) {
            TestImages.write(r.resolve("cat/" + i + ".png"), 8, 8, i);
        }
        TestImages.write(r.resolve("dog/0.png"), 8, 8, 10);
        TestImages.write(r.resolve("dog/1.png"), 8, 8, 11);
        InspectReport rep = Inspector.inspect(Datasets.open(r.toString(), OpenOptions.defaults().withValidSplit(0)), 1);
        assertEquals(6.0 / 2.0, rep.splits().get(0).imbalance(), 1e-9);
        assertTrue(rep.warnings().stream().anyMatch(w -> w.contains("imbalanced") && w.contains("6/2")), rep.warnings().toString());
    }

    @Test
    void contactSheetHasARowPerClass() throws Exception {
        Dataset ds = badData();
        Path out = dir.resolve("sheet.png");
        int drawn = ContactSheet.write(ds.train(), 3, out, Presets.train(Presets.Augment.STANDARD, 16, null), 3, 1);
        BufferedImage img = ImageIO.read(out.toFile());
        // dogs in order: a.png, corrupt.png, cut.jpg -> only a.png decodes
        assertEquals(3 + 1, drawn);
        assertTrue(img.getHeight() > 2 * 72 && img.getHeight() < 3 * 80, "two rows: " + img.getHeight());
    }
}
