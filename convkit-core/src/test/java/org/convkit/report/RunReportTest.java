package org.convkit.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import org.convkit.eval.EvalResult;
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
