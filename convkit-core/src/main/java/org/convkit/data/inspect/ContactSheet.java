package org.convkit.data.inspect;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.convkit.core.Seeds;
import org.convkit.data.Image;
import org.convkit.data.ImageSource;
import org.convkit.data.Sample;
import org.convkit.data.image.Decoder;
import org.convkit.data.image.Pipeline;
import org.convkit.data.image.Pixels;
import org.convkit.data.image.Png;

/**
 * A PNG grid with one row per class and the first few images of that class, after the training
 * transforms when given, so users see what the network sees. Images are decoded with {@link
 * Decoder}, transformed with a seeded generator per sample, and scaled to fit a cell without
 * changing their aspect ratio.
 */
public final class ContactSheet {
    private static final int CELL = 72;
    private static final int PAD = 4;
    private static final int LABEL = 150;
    private static final int TITLE = 20;

    private ContactSheet() {}

    /**
     * @param perClass images per row
     * @param out the PNG to write (atomically)
     * @param transforms the training pipeline's image steps, or {@code null} for decoded images
     * @param channels 1 or 3, what the model gets
     * @param seed seeds the random transforms (sample i uses seed + i)
     * @return the number of images drawn
     */
    public static int write(ImageSource src, int perClass, Path out, Pipeline transforms, int channels, long seed) throws IOException {
        List<String> classes = src.classes();
        List<List<Integer>> rows = new ArrayList<>();
        for (int c = 0; c < classes.size(); c++) {
            rows.add(new ArrayList<>());
        }
        int filled = 0;
        for (int i = 0; i < src.size() && filled < classes.size(); i++) {
            int[] l = src.labels(i);
            if (l.length > 0 && l[0] >= 0 && l[0] < rows.size() && rows.get(l[0]).size() < perClass) {
                rows.get(l[0]).add(i);
                if (rows.get(l[0]).size() == perClass) {
                    filled++;
                }
            }
        }
        String title = (transforms == null ? "decoded, no transforms" : "after " + transforms.spec()) + ": " + src.describe();
        Font font = new Font(Font.SANS_SERIF, Font.PLAIN, 12);
        Graphics2D probe = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB).createGraphics();
        int titleWidth = probe.getFontMetrics(font).stringWidth(title);
        probe.dispose();
        int width = Math.max(LABEL + perClass * (CELL + PAD) + PAD, titleWidth + 2 * PAD);
        int height = PAD + TITLE + classes.size() * (CELL + PAD);
        BufferedImage sheet = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = sheet.createGraphics();
        int drawn = 0;
        try {
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, width, height);
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setFont(font);
            g.setColor(Color.DARK_GRAY);
            g.drawString(title, PAD, 14);
            for (int c = 0; c < classes.size(); c++) {
                int y = PAD + TITLE + c * (CELL + PAD);
                g.setColor(Color.BLACK);
                g.drawString(clip(classes.get(c) + " (" + c + ")"), PAD, y + CELL / 2);
                int x = LABEL;
                for (int i : rows.get(c)) {
                    BufferedImage img = picture(src, i, transforms, channels, seed);
                    if (img == null) {
                        g.setColor(Color.RED);
                        g.drawString("unreadable", x + 2, y + CELL / 2);
                    } else {
                        double s = Math.min((double) CELL / img.getWidth(), (double) CELL / img.getHeight());
                        int w = Math.max(1, (int) Math.round(img.getWidth() * s));
                        int h = Math.max(1, (int) Math.round(img.getHeight() * s));
                        g.drawImage(img, x + (CELL - w) / 2, y + (CELL - h) / 2, w, h, null);
                        drawn++;
                    }
                    x += CELL + PAD;
                }
            }
        } finally {
            g.dispose();
        }
        Png.write(sheet, out);
        return drawn;
    }

    private static BufferedImage picture(ImageSource src, int i, Pipeline transforms, int channels, long seed) {
        try {
            Sample s = src.get(i);
            Image img = Decoder.image(s, channels); // raw pixels too take the asked channels
            if (transforms != null) {
                img = transforms.transform(img, new SplittableRandom(Seeds.mix(seed, 0, i)));
            }
            return Pixels.toBufferedImage(img);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static String clip(String s) {
        return s.length() > 22 ? s.substring(0, 21) + "…" : s;
    }
}
