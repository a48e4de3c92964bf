package org.convkit.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.convkit.core.RunFiles;
import org.convkit.eval.EvalResult;
import org.convkit.model.ConvNet;
import org.convkit.model.Zoo;
import org.convkit.model.weights.Checkpoint;
import org.convkit.model.weights.ModelInfo;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunReportTest {
    static final List<String> CLASSES = List.of("cat", "dog", "a<b & \"c\"", "bird", "frog");

    @BeforeAll
    static void headless() {
        System.setProperty("java.awt.headless", "true");
    }

    static List<BufferedImage> inlineImages(String html) throws Exception {
        Matcher m = Pattern.compile("src=\"data:image/png;base64,([A-Za-z0-9+/=]+)\"").matcher(html);
        List<BufferedImage> out = new java.util.ArrayList<>();
        while (m.find()) {
            BufferedImage img = ImageIO.read(new ByteArrayInputStream(Base64.getDecoder().decode(m.group(1))));
            assertNotNull(img, "every inlined image decodes");
            out.add(img);
        }
        return out;
    }

    @Test
    void writesEveryArtifactAndOneSelfContainedPage(@TempDir Path tmp) throws Exception {
        Path run = TestRuns.run(tmp, "r1", Map.of("lr", 0.05), 6, 0.9);
        EvalResult r = TestRuns.evaluation(40, CLASSES, 8);
        Path report = RunReport.write(run, r, TestRuns.images(40, CLASSES));

        for (String f : List.of("report.html", "curves.png", "confusion.png", "confusion.csv", "per_class.csv", "eval.json")) {
            assertTrue(Files.size(run.resolve(f)) > 0, f);
        }
        BufferedImage curves = ImageIO.read(run.resolve("curves.png").toFile());
        assertEquals(2 * CurvesPlot.WIDTH, curves.getWidth(), "loss and accuracy side by side");

        // confusion.csv: the counts, by class name (quoted where needed)
        try (MappingIterator<List<String>> it = new CsvMapper().enable(CsvParser.Feature.WRAP_AS_ARRAY)
                .readerForListOf(String.class).readValues(run.resolve("confusion.csv").toFile())) {
            List<List<String>> rows = it.readAll();
            assertEquals(CLASSES, rows.get(0).subList(1, 6));
            for (int t = 0; t < 5; t++) {
                assertEquals(CLASSES.get(t), rows.get(t + 1).get(0));
                for (int p = 0; p < 5; p++) {
                    assertEquals(r.confusion()[t][p], Long.parseLong(rows.get(t + 1).get(p + 1)));
                }
            }
        }
        List<String> perClass = Files.readAllLines(run.resolve("per_class.csv"));
        assertEquals(6, perClass.size());
        assertTrue(perClass.get(1).startsWith("cat," + r.perClass().get(0).precision()), perClass.get(1));

        String html = Files.readString(report);
        assertFalse(html.contains("<script"), "no scripts");
        assertFalse(Pattern.compile("(src|href)=\"(?!data:)").matcher(html).find(), "nothing loaded from outside");
        assertTrue(html.contains("a&lt;b &amp; &quot;c&quot;"), "class names escaped");
        assertFalse(html.contains("a<b"));
        assertTrue(html.contains("<th>optimizer</th><td>sgd</td>"), "config shown");
        assertTrue(html.contains("<th>lr</th><td>0.05</td>"));
        // curves + confusion + one thumbnail per mistake, except sample 3 whose file is unreadable
        long mistakes = r.mistakes().size();
        assertEquals(8, mistakes);
        boolean missing3 = r.mistakes().stream().anyMatch(m -> m.index() == 3);
        List<BufferedImage> images = inlineImages(html);
        assertEquals(2 + mistakes - (missing3 ? 1 : 0), images.size());
        assertEquals(missing3 ? 1 : 0, html.split("no image", -1).length - 1);
        for (var m : r.mistakes()) {
            assertTrue(html.contains("<code>" + m.id() + "</code>"), m.id());
        }
        assertTrue(html.contains(Numbers.pct(r.accuracy())));
    }

    @Test
    void remakesFromTheFolderAloneWithNewEpochs(@TempDir Path tmp) throws Exception {
        Path run = TestRuns.run(tmp, "r2", Map.of(), 3, 0.8);
        EvalResult r = TestRuns.evaluation(20, CLASSES, 4);
        RunReport.write(run, r, TestRuns.images(20, CLASSES));
        assertTrue(Files.readString(run.resolve("report.html")).contains("3 epochs"));
        TestRuns.run(tmp, "r2", Map.of(), 5, 0.85);
        String again = Files.readString(RunReport.write(run));
        assertTrue(again.contains("5 epochs"));
        // the thumbnails come back from gallery/, without the images source
        long unreadable = r.mistakes().stream().filter(m -> m.index() == 3).count();
        assertEquals(2 + r.mistakes().size() - unreadable, inlineImages(again).size());
    }

    @Test
    void aRunWithoutEvaluationStillGetsCurvesAndAPage(@TempDir Path tmp) throws Exception {
        Path run = TestRuns.run(tmp, "r3", Map.of(), 2, 0.7);
        String html = Files.readString(RunReport.write(run));
        assertTrue(Files.exists(run.resolve("curves.png")));
        assertFalse(Files.exists(run.resolve("confusion.png")));
        assertTrue(html.contains("No validation evaluation"));
        assertEquals(1, inlineImages(html).size());
    }

    /**
     * A --monitor valid_loss run: checkpoints/best (whose evaluation the page shows) is the epoch of
     * the lowest validation loss, 3, not the epoch of the highest accuracy, 4. The summary names the
     * monitored metric and the checkpoint's epoch, and does not call epoch 4 best.
     */
    @Test
    void theSummaryNamesTheMonitoredMetricAndTheEpochOfTheBestCheckpoint(@TempDir Path tmp) throws Exception {
        Path run = TestRuns.run(tmp, "loss", Map.of("monitor", "valid_loss"), 5, 0.8);
        Files.writeString(run.resolve("metrics.csv"), """
                epoch,train_loss,train_acc,valid_loss,valid_acc,lr,seconds,data_wait
                1,1.1,0.50,0.90,0.60,0.1,30,0.05
                2,0.9,0.60,0.50,0.70,0.1,30,0.05
                3,0.7,0.70,0.45,0.72,0.1,30,0.05
                4,0.5,0.80,0.60,0.80,0.1,30,0.05
                5,0.3,0.90,0.70,0.78,0.1,30,0.05
                """);
        // checkpoints/best as training saves it: model.json's extra.epoch says which epoch it is
        try (NDManager m = NDManager.newBaseManager()) {
            ConvNet net = Zoo.create("simplecnn", Zoo.get("simplecnn").defaults().withInput(1, 8, 8).withClasses(2)
                    .withArch("4").withFc("")).initialize(m);
            Checkpoint.save(RunFiles.bestCheckpoint(run), net, new ModelInfo(List.of("a", "b"), null, null,
                    Map.of(ModelInfo.EPOCH, 3)), null);
        }
        String summary = summary(RunReport.write(run, TestRuns.evaluation(20, CLASSES, 4), null));
        assertTrue(summary.contains("best valid_loss 0.4500 at epoch 3 (--monitor valid_loss)"), summary);
        assertTrue(summary.contains("highest valid_acc 0.8000 at epoch 4"), summary);
        assertFalse(summary.contains("best valid_acc"), summary);

        // the epoch is the checkpoint's: one saved at epoch 2 (a copied or older folder) is named as such
        try (NDManager m = NDManager.newBaseManager()) {
            Checkpoint.save(RunFiles.bestCheckpoint(run), Checkpoint.load(RunFiles.bestCheckpoint(run), m).net(),
                    new ModelInfo(List.of("a", "b"), null, null, Map.of(ModelInfo.EPOCH, 2)), null);
        }
        String older = summary(RunReport.write(run));
        assertTrue(older.contains("best valid_loss 0.5000 at epoch 2 (--monitor valid_loss)"), older);

        // without the checkpoint, metrics.csv and the monitor give the epoch: the lowest loss
        Files.walk(run.resolve("checkpoints")).sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        String noCheckpoint = summary(RunReport.write(run));
        assertTrue(noCheckpoint.contains("best valid_loss 0.4500 at epoch 3 (--monitor valid_loss)"), noCheckpoint);

        // the default monitor, accuracy: the summary as before
        Path acc = TestRuns.run(tmp, "acc", Map.of(), 5, 0.8);
        Files.copy(run.resolve("metrics.csv"), acc.resolve("metrics.csv"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        String accuracy = summary(RunReport.write(acc));
        assertTrue(accuracy.endsWith("· 5 epochs · best valid_acc 0.8000 at epoch 4"), accuracy);
    }

    /** The page's summary paragraph, without its tags. */
    private static String summary(Path report) throws Exception {
        String html = Files.readString(report);
        int start = html.indexOf("<p class=\"summary\">");
        return html.substring(start + "<p class=\"summary\">".length(), html.indexOf("</p>", start));
    }

    @Test
    void manyClassesStillRender() {
        List<String> names = new java.util.ArrayList<>();
        for (int i = 0; i < 100; i++) {
            names.add("class_" + i);
        }
        EvalResult r = TestRuns.evaluation(500, names, 3);
        BufferedImage img = ConfusionPlot.render(r.confusion(), r.classes());
        assertTrue(img.getWidth() < 1600 && img.getHeight() < 1600, img.getWidth() + "x" + img.getHeight());
    }
}
