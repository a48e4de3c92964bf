package org.convkit.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;
import org.convkit.data.Image;
import org.convkit.data.ImageSource;
import org.convkit.data.Sample;
import org.convkit.eval.EvalResult;
import org.convkit.eval.Metrics;

/** Run folders and data written the way the trainer and the data package would. */
final class TestRuns {
    private TestRuns() {}

    /** runs/NAME with config.json (the given values over defaults) and metrics.csv (a plausible curve). */
    static Path run(Path root, String name, Map<String, Object> overrides, int epochs, double finalAcc) throws IOException {
        Path dir = root.resolve(name);
        Files.createDirectories(dir);
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("data", "fashion-mnist");
        config.put("model", "resnet18");
        config.put("epochs", epochs);
        config.put("batch-size", 128);
        config.put("lr", 0.1);
        config.put("optimizer", "sgd");
        config.put("seed", 42);
        config.put("run", name);
        config.putAll(overrides);
        new ObjectMapper().writerWithDefaultPrettyPrinter().writeValue(dir.resolve("config.json").toFile(), config);
        StringBuilder csv = new StringBuilder("epoch,train_loss,train_acc,valid_loss,valid_acc,lr,seconds,data_wait,extra\n");
        for (int e = 1; e <= epochs; e++) {
            double f = (double) e / epochs;
            csv.append(String.format(Locale.ROOT, "%d,%.4f,%.4f,%.4f,%.4f,%.5f,%.1f,%.3f,x%n",
                    e, 1.2 - 0.9 * f, 0.5 + (finalAcc - 0.45) * f, 1.1 - 0.7 * f, 0.5 + (finalAcc - 0.5) * f,
                    0.1 * (1 - f), 30.0 + e, 0.05));
        }
        Files.writeString(dir.resolve("metrics.csv"), csv);
        return dir;
    }

    /** n images of a colored square on gray, alternating as PNG bytes and raw pixels. */
    static ImageSource images(int n, List<String> classes) {
        return new ImageSource() {
            @Override
            public int size() {
                return n;
            }

            @Override
            public Sample get(int index) throws IOException {
                if (index == 3) {
                    throw new IOException("truncated file");
                }
                BufferedImage img = new BufferedImage(32, 32, BufferedImage.TYPE_INT_RGB);
                Graphics2D g = img.createGraphics();
                g.setColor(Color.GRAY);
                g.fillRect(0, 0, 32, 32);
                g.setColor(Color.getHSBColor(index / (float) n, 0.9f, 0.9f));
                g.fillRect(8, 8, 16, 16);
                g.dispose();
                int[] label = {index % classes.size()};
                if (index % 2 == 0) {
                    ByteArrayOutputStream out = new ByteArrayOutputStream();
                    ImageIO.write(img, "png", out);
                    return new Sample("img-" + index, out.toByteArray(), null, label);
                }
                byte[] px = new byte[32 * 32 * 3];
                for (int y = 0; y < 32; y++) {
                    for (int x = 0; x < 32; x++) {
                        int rgb = img.getRGB(x, y);
                        int o = (y * 32 + x) * 3;
                        px[o] = (byte) (rgb >> 16);
                        px[o + 1] = (byte) (rgb >> 8);
                        px[o + 2] = (byte) rgb;
                    }
                }
                return new Sample("img-" + index, null, new Image(32, 32, 3, px), label);
            }

            @Override
            public List<String> classes() {
                return classes;
            }

            @Override
            public String describe() {
                return "generated squares, " + n;
            }
        };
    }

    /** An evaluation of n samples where sample i is predicted class (i * 7) % C with varied confidence. */
    static EvalResult evaluation(int n, List<String> classes, int keep) {
        int c = classes.size();
        Metrics m = new Metrics(classes, 1, -1, keep);
        float[] logits = new float[n * c];
        int[] labels = new int[n];
        String[] ids = new String[n];
        int[] idx = new int[n];
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            labels[i] = i % c;
            int pred = i % 3 == 0 ? (i * 7) % c : labels[i];
            logits[i * c + pred] = 1 + (i % 5);
            ids[i] = "img-" + i;
            idx[i] = i;
            order.add(i);
        }
        m.add(new float[][] {logits}, labels, ids, idx);
        return m.result();
    }
}
