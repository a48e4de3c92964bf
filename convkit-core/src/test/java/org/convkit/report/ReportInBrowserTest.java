package org.convkit.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.convkit.eval.EvalResult;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * report.html as a user sees it: opened in headless Chromium, every image must have loaded and
 * have a size; a full-page screenshot is kept in target/ to look at.
 */
@Tag("integration")
class ReportInBrowserTest {
    @Test
    void everyImageLoadsInChromium(@TempDir Path tmp) throws Exception {
        org.convkit.Needs.need(HeadlessChromium.available(),
                "needs Debian's Chromium at /usr/bin/chromium: apt-get install -y chromium");
        System.setProperty("java.awt.headless", "true");
        List<String> classes = List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
                "Sneaker", "Bag", "Ankle boot");
        Path run = TestRuns.run(tmp, "fashion-demo", Map.of("optimizer", "adamw", "lr", 0.003), 8, 0.91);
        EvalResult r = TestRuns.evaluation(300, classes, 12);
        Path report = RunReport.write(run, r, TestRuns.images(300, classes));

        try (HeadlessChromium chrome = new HeadlessChromium(1280, 900)) {
            chrome.open(report.toUri().toString());
            JsonNode images = chrome.eval(
                    "Array.from(document.images).map(i => [i.alt, i.complete, i.naturalWidth, i.naturalHeight])");
            long expected = 2 + r.mistakes().stream().filter(m -> m.index() != 3).count();
            assertEquals(expected, images.size(), images.toString());
            for (JsonNode img : images) {
                assertTrue(img.get(1).asBoolean() && img.get(2).asInt() > 0 && img.get(3).asInt() > 0,
                        "broken image: " + img);
            }
            assertEquals("Run fashion-demo", chrome.eval("document.querySelector('h1').textContent").asText());
            assertEquals(classes.size() + 3,
                    chrome.eval("document.querySelectorAll('#per-class tr').length").asInt());
            assertEquals(r.mistakes().size(), chrome.eval("document.querySelectorAll('#gallery figure').length").asInt());

            byte[] png = chrome.screenshotFullPage();
            BufferedImage shot = ImageIO.read(new ByteArrayInputStream(png));
            assertTrue(shot.getHeight() > 1500, "the whole page, not just the window: " + shot.getHeight());
            Path out = Path.of("target", "report-screenshot.png");
            Files.createDirectories(out.getParent());
            Files.write(out, png);
            System.out.println("report screenshot: " + out.toAbsolutePath());
        }
    }
}
