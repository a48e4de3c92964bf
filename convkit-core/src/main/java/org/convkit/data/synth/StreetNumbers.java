package org.convkit.data.synth;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.font.GlyphVector;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.convkit.core.AtomicFiles;
import org.convkit.core.ConvkitException;
import org.convkit.core.Json;
import org.convkit.core.Seeds;
import org.convkit.data.image.Png;

/**
 * A generated street-number dataset in the Tianchi layout ({@code mchar_train.json} +
 * {@code mchar_train/000000.png}, likewise {@code mchar_val} and {@code mchar_test}): 1 to K digits
 * drawn with Java2D's fonts (serif, sans, monospaced; plain, bold, italic) at varied size and
 * position, in random colours on a random background, with pixel noise. Labels are the digits left
 * to right, with bounding boxes as Tianchi gives them. The same seed gives the same files.
 *
 * <p>For tests and examples of multi-digit recognition without downloading SVHN or Tianchi; a
 * model that reads these well has learned the task (whole-sequence chance is about 10^-K).
 */
public final class StreetNumbers {
    private static final String[] FAMILIES = {Font.SERIF, Font.SANS_SERIF, Font.MONOSPACED, Font.DIALOG};
    private static final int[] STYLES = {Font.PLAIN, Font.BOLD, Font.ITALIC, Font.BOLD | Font.ITALIC};

    /**
     * @param size images are size x size pixels
     * @param maxDigits K, the longest number (1..K digits, uniformly)
     * @param noise standard deviation of the Gaussian pixel noise (0..255 scale)
     */
    public record Options(int size, int maxDigits, double noise) {
        public Options {
            if (size < 16) {
                throw new ConvkitException("--size " + size + ": at least 16 pixels");
            }
            if (maxDigits < 1 || maxDigits > 6) {
                throw new ConvkitException("--max-digits " + maxDigits + ": 1 to 6");
            }
        }

        public static Options defaults() {
            return new Options(48, 4, 12);
        }
    }

    /** One drawn number: its digits and the box of each (left, top, width, height). */
    record Drawn(BufferedImage image, int[] digits, int[][] boxes) {}

    private StreetNumbers() {}

    /**
     * Writes {@code train}, {@code val} and {@code test} splits of the given sizes into {@code dir}.
     *
     * @return the label files written
     */
    public static List<Path> write(Path dir, int train, int valid, int test, Options o, long seed) throws IOException {
        List<Path> out = new ArrayList<>();
        String[] names = {"mchar_train", "mchar_val", "mchar_test"};
        int[] counts = {train, valid, test};
        for (int s = 0; s < names.length; s++) {
            if (counts[s] > 0) {
                out.add(writeSplit(dir, names[s], counts[s], o, new SplittableRandom(Seeds.mix(seed, s, -1))));
            }
        }
        return out;
    }

    private static Path writeSplit(Path dir, String name, int count, Options o, SplittableRandom r) throws IOException {
        Path images = Files.createDirectories(dir.resolve(name));
        Map<String, Object> labels = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
            Drawn d = draw(o, r.split());
            String file = String.format("%06d.png", i);
            Png.write(d.image(), images.resolve(file));
            Map<String, Object> entry = new LinkedHashMap<>();
            List<Integer> left = new ArrayList<>();
            List<Integer> top = new ArrayList<>();
            List<Integer> width = new ArrayList<>();
            List<Integer> height = new ArrayList<>();
            List<Integer> label = new ArrayList<>();
            for (int k = 0; k < d.digits().length; k++) {
                label.add(d.digits()[k]);
                left.add(d.boxes()[k][0]);
                top.add(d.boxes()[k][1]);
                width.add(d.boxes()[k][2]);
                height.add(d.boxes()[k][3]);
            }
            entry.put("height", height);
            entry.put("label", label);
            entry.put("left", left);
            entry.put("top", top);
            entry.put("width", width);
            labels.put(file, entry);
        }
        Path json = dir.resolve(name + ".json");
        byte[] bytes = Json.pretty().writeValueAsBytes(labels);
        AtomicFiles.write(json, os -> os.write(bytes));
        return json;
    }

    /** Draws one number with everything random drawn from {@code r}. */
    static Drawn draw(Options o, SplittableRandom r) {
        int n = 1 + r.nextInt(o.maxDigits());
        int[] digits = new int[n];
        for (int k = 0; k < n; k++) {
            digits[k] = r.nextInt(10);
        }
        int s = o.size();
        BufferedImage img = new BufferedImage(s, s, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        Color bg = new Color(r.nextInt(256), r.nextInt(256), r.nextInt(256));
        Color fg = contrasting(bg, r);
        g.setColor(bg);
        g.fillRect(0, 0, s, s);
        String family = FAMILIES[r.nextInt(FAMILIES.length)];
        int style = STYLES[r.nextInt(STYLES.length)];
        String text = digitsText(digits);
        // digits 40% to 75% of the image high, shrunk until the number fits inside with a margin
        int fontSize = (int) Math.round(s * (0.4 + 0.35 * r.nextDouble()));
        GlyphVector gv;
        Rectangle2D bounds;
        do {
            gv = new Font(family, style, fontSize--).createGlyphVector(g.getFontRenderContext(), text);
            bounds = gv.getVisualBounds();
        } while ((bounds.getWidth() > s - 4 || bounds.getHeight() > s - 4) && fontSize > 6);
        // the ink's box anywhere inside the image, 2 pixels from the border
        double x0 = 2 - bounds.getX() + r.nextDouble() * Math.max(0, s - 4 - bounds.getWidth());
        double y0 = 2 - bounds.getY() + r.nextDouble() * Math.max(0, s - 4 - bounds.getHeight());
        g.setColor(fg);
        g.drawGlyphVector(gv, (float) x0, (float) y0);
        g.dispose();
        int[][] boxes = new int[n][];
        for (int k = 0; k < n; k++) {
            Rectangle2D b = gv.getGlyphVisualBounds(k).getBounds2D();
            boxes[k] = new int[] {(int) Math.floor(x0 + b.getX()), (int) Math.floor(y0 + b.getY()),
                (int) Math.ceil(b.getWidth()), (int) Math.ceil(b.getHeight())};
        }
        addNoise(img, o.noise(), r);
        return new Drawn(img, digits, boxes);
    }

    private static String digitsText(int[] digits) {
        StringBuilder sb = new StringBuilder();
        for (int d : digits) {
            sb.append((char) ('0' + d));
        }
        return sb.toString();
    }

    /** A colour at least 100 apart from {@code bg} in brightness, so the digits stay readable. */
    private static Color contrasting(Color bg, SplittableRandom r) {
        double lum = 0.299 * bg.getRed() + 0.587 * bg.getGreen() + 0.114 * bg.getBlue();
        while (true) {
            Color c = new Color(r.nextInt(256), r.nextInt(256), r.nextInt(256));
            double l = 0.299 * c.getRed() + 0.587 * c.getGreen() + 0.114 * c.getBlue();
            if (Math.abs(l - lum) >= 100) {
                return c;
            }
        }
    }

    private static void addNoise(BufferedImage img, double sd, SplittableRandom r) {
        if (sd <= 0) {
            return;
        }
        java.util.Random gauss = new java.util.Random(r.nextLong());
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                int rgb = img.getRGB(x, y);
                int red = clamp(((rgb >> 16) & 255) + gauss.nextGaussian() * sd);
                int green = clamp(((rgb >> 8) & 255) + gauss.nextGaussian() * sd);
                int blue = clamp((rgb & 255) + gauss.nextGaussian() * sd);
                img.setRGB(x, y, (red << 16) | (green << 8) | blue);
            }
        }
    }

    private static int clamp(double v) {
        return (int) Math.max(0, Math.min(255, Math.round(v)));
    }
}
