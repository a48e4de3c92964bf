package org.convkit.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.convkit.data.Sample;
import org.convkit.eval.TorchClassifier;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The page in a real browser: Debian's Chromium, headless, driven through its WebDriver
 * (chromium-driver). Picks files as a person does, drops one on the page, waits for the answers,
 * checks the labels shown against the classifier's own, and that the page is usable from the
 * keyboard. Saves a
 * screenshot to target/serve-page.png, or {@code -Dserve.screenshot=FILE}; docs/serve.png was taken
 * with {@code -Dserve.run=RUN -Dserve.images=DIR} (a Fashion-MNIST run and three of its test
 * images instead of the drawn shapes, see docs/serve.md).
 */
@Tag("integration")
class PageInBrowserIT {
    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path DRIVER = Path.of("/usr/bin/chromedriver");

    @Test
    void uploadAFileAndSeeItsLabel(@TempDir Path tmp) throws Exception {
        boolean here = Files.isExecutable(CHROMIUM) && Files.isExecutable(DRIVER);
        if (!here && "true".equals(System.getenv("CI"))) {
            throw new AssertionError("CI=true but Chromium or its driver is missing: .ci/run installs chromium chromium-driver");
        }
        Assumptions.assumeTrue(here, "Chromium's WebDriver is not installed (apt-get install chromium chromium-driver); page not tested");

        Path run = System.getProperty("serve.run") != null ? Path.of(System.getProperty("serve.run")) : Shapes.run();
        List<Path> files;
        if (System.getProperty("serve.images") != null) {
            try (var list = Files.list(Path.of(System.getProperty("serve.images")))) {
                files = list.sorted().limit(3).toList();
            }
        } else {
            files = Shapes.images(tmp.resolve("photos"), 3, 42);
        }
        try (PredictionServer server = PredictionServer.start(ServeOptions.defaults().withPort(0),
                () -> TorchClassifier.open(run, TorchClassifier.Options.defaults()), System.err);
                TorchClassifier reference = TorchClassifier.open(run, TorchClassifier.Options.defaults())) {
            ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(DRIVER.toFile())
                    .usingAnyFreePort().build();
            ChromeOptions options = new ChromeOptions();
            options.setBinary(CHROMIUM.toFile());
            // the flags that work on this machine (convkit-core's HeadlessChromium): no sandbox as root,
            // no background connections that a closed network refuses, a fresh profile
            options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--hide-scrollbars", "--window-size=1280,860", "--user-data-dir=" + tmp.resolve("profile"));
            ChromeDriver browser = new ChromeDriver(service, options);
            try {
                WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(60));
                browser.get(server.url());
                wait.until(d -> d.findElement(By.id("status")).getText().startsWith("Ready"));
                assertTrue(browser.findElement(By.id("card")).getText().contains("simplecnn"), "the model card is shown");
                assertEquals(Boolean.TRUE, browser.executeScript(
                        "return [...document.querySelectorAll('input')].every(i => i.labels.length > 0)"), "every input has a label");

                // keyboard: the first Tab reaches the file picker (a visually hidden input behind its label)
                new Actions(browser).sendKeys(Keys.TAB).perform();
                assertEquals("files", browser.executeScript("return document.activeElement.id"));

                browser.findElement(By.id("files")).sendKeys(files.get(0).toString() + "\n" + files.get(1).toString());
                wait.until(d -> d.findElements(By.cssSelector("li.result[data-state=done]")).size() == 2);
                browser.findElement(By.id("files")).sendKeys(files.get(2).toString());
                wait.until(d -> d.findElements(By.cssSelector("li.result[data-state=done]")).size() == 3);

                // drag and drop: a file dropped anywhere on the page is classified the same way
                Path dropped = files.get(0);
                browser.executeScript("const bytes = Uint8Array.from(atob(arguments[0]), c => c.charCodeAt(0));"
                        + "const dt = new DataTransfer();"
                        + "dt.items.add(new File([bytes], 'dropped-' + arguments[1], {type: 'image/png'}));"
                        + "window.dispatchEvent(new DragEvent('dragover', {dataTransfer: dt, cancelable: true}));"
                        + "window.dispatchEvent(new DragEvent('drop', {dataTransfer: dt, cancelable: true}));",
                        java.util.Base64.getEncoder().encodeToString(Files.readAllBytes(dropped)), dropped.getFileName().toString());
                wait.until(d -> d.findElements(By.cssSelector("li.result[data-state=done]")).size() == 4);
                WebElement drop = browser.findElement(By.xpath("//li[contains(@class,'result')][.//h3[text()='dropped-"
                        + dropped.getFileName() + "']]"));
                assertEquals(reference.predict(Sample.encoded("d", Files.readAllBytes(dropped)), 3).label(),
                        drop.findElement(By.className("label")).getText(), "the dropped file");

                for (Path f : files) {
                    String name = f.getFileName().toString();
                    WebElement item = browser.findElement(By.xpath("//li[contains(@class,'result')][.//h3[text()='" + name + "']]"));
                    String expected = reference.predict(Sample.encoded(name, Files.readAllBytes(f)), 3).label();
                    assertEquals(expected, item.findElement(By.className("label")).getText(), name);
                    assertEquals(expected, item.getDomAttribute("data-label"));
                    assertTrue(item.findElement(By.className("meta")).getText().matches(".*\\d+\\.\\d% · \\d+ ms round trip.*"),
                            item.getText());
                    assertEquals(Math.min(ServeOptions.DEFAULT_TOP_K, reference.card().classes().size()),
                            item.findElements(By.cssSelector(".bars li")).size(), "top-k bars");
                }
                browser.executeScript("arguments[0].remove()", drop); // the picture shows the picked files
                byte[] png = browser.getScreenshotAs(OutputType.BYTES);
                Path shot = Path.of(System.getProperty("serve.screenshot", "target/serve-page.png"));
                Files.createDirectories(shot.toAbsolutePath().getParent());
                Files.write(shot, png);
                System.out.println("screenshot: " + shot.toAbsolutePath());
            } finally {
                browser.quit();
            }
        }
    }

}
