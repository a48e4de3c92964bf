package org.convkit.report;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.convkit.core.RunFiles;
import org.convkit.data.Image;
import org.convkit.data.ImageSource;
import org.convkit.data.Sample;
import org.convkit.data.image.Decoder;
import org.convkit.data.image.Pixels;
import org.convkit.data.image.Png;
import org.convkit.eval.Mistake;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Thumbnails of the most confidently misclassified images, saved in the run folder's
 * {@code gallery/} so the report can be re-made without the dataset. Images are shown as they are
 * stored (before any resize or normalization the model saw), at most {@link #MAX_SIDE} pixels.
 */
public final class Gallery {
    static final int MAX_SIDE = 128;
    private static final Logger log = LoggerFactory.getLogger(Gallery.class);

    private Gallery() {}

    /** The thumbnail's file in the run folder for the mistake ranked {@code rank} (0 = most confident). */
    public static Path file(Path runDir, int rank, Mistake m) {
        return runDir.resolve(RunFiles.GALLERY).resolve(String.format(java.util.Locale.ROOT, "%03d-%d.png", rank, m.index()));
    }

    /**
     * Writes one thumbnail per mistake, read from {@code images} by the mistake's index. Images that
     * cannot be read are left out (the report says "no image") and logged.
     *
     * @return how many thumbnails were written
     */
    public static int write(Path runDir, List<Mistake> mistakes, ImageSource images) throws IOException {
        Files.createDirectories(runDir.resolve(RunFiles.GALLERY));
        int written = 0;
        for (int rank = 0; rank < mistakes.size(); rank++) {
            Mistake m = mistakes.get(rank);
            try {
                BufferedImage img = toImage(images.get(m.index()));
                Png.write(thumbnail(img), file(runDir, rank, m));
                written++;
            } catch (IOException | RuntimeException e) {
                log.warn("gallery: no thumbnail for sample {} ({}): {}", m.index(), m.id(), e.getMessage());
            }
        }
        return written;
    }

    /** The sample as a Java image, decoded as training decodes it (gray stays gray). */
    static BufferedImage toImage(Sample s) throws IOException {
        return Pixels.toBufferedImage(Decoder.image(s, s.pixels() != null ? s.pixels().channels() : 3));
    }

    /** Shrinks to at most MAX_SIDE on the longer side; small images stay as they are (the page scales them up). */
    static BufferedImage thumbnail(BufferedImage img) {
        int w = img.getWidth();
        int h = img.getHeight();
        double scale = Math.min(1.0, (double) MAX_SIDE / Math.max(w, h));
        if (scale == 1.0 && img.getType() != BufferedImage.TYPE_CUSTOM) {
            return img;
        }
        int tw = Math.max(1, (int) Math.round(w * scale));
        int th = Math.max(1, (int) Math.round(h * scale));
        BufferedImage out = new BufferedImage(tw, th, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
        // area-averaging keeps a big photo's thumbnail from aliasing, which bilinear alone does
        g.drawImage(img.getScaledInstance(tw, th, java.awt.Image.SCALE_AREA_AVERAGING), 0, 0, null);
        g.dispose();
        return out;
    }
}
