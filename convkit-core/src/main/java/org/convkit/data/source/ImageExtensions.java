package org.convkit.data.source;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** The file extensions torchvision's ImageFolder accepts (IMG_EXTENSIONS), compared case-insensitively. */
public final class ImageExtensions {
    /** torchvision.datasets.folder.IMG_EXTENSIONS (0.14). GIF is not among them. */
    public static final List<String> ACCEPTED =
            List.of(".jpg", ".jpeg", ".png", ".ppm", ".bmp", ".pgm", ".tif", ".tiff", ".webp");

    private ImageExtensions() {}

    public static boolean accepted(Path file) {
        return accepted(file.getFileName().toString());
    }

    /** Whether a file name ends with one of the accepted extensions. */
    public static boolean accepted(String fileName) {
        String name = fileName.toLowerCase(Locale.ROOT);
        for (String ext : ACCEPTED) {
            if (name.endsWith(ext)) {
                return true;
            }
        }
        return false;
    }

    /** The file name without its last extension: the id of a sample ("0001.jpg" -> "0001"). */
    public static String stem(Path file) {
        return FileWalk.id(file.getFileName().toString());
    }
}
