package org.convkit.data.image;

import java.io.IOException;
import java.util.Locale;
import org.convkit.data.Image;

/**
 * Encoded bytes (JPEG baseline/progressive/CMYK, PNG 1-16 bit gray/RGB/palette/alpha, BMP, GIF
 * first frame, WebP) to upright pixels in the channel count the model wants (1 = gray, 3 = RGB).
 *
 * <p>What it does, and where it differs from torchvision's defaults:
 *
 * <ul>
 *   <li><b>EXIF orientation is applied</b> (JPEG), like PIL's {@code ImageOps.exif_transpose}.
 *       torchvision's {@code ImageFolder} (PIL {@code open().convert("RGB")}) does not, so phone
 *       photos taken upright would reach the network lying on their side: we prefer what the user
 *       sees in a viewer.
 *   <li>Alpha is dropped, not composited (PIL's {@code convert("RGB")}); gray is PIL's "L" (ITU-R
 *       601-2 luma, PIL's rounding); 16-bit samples keep their high byte.
 *   <li>Decompression bombs: images above {@link #maxPixels()} pixels (default PIL's 89,478,485)
 *       are refused from their header, before any pixel memory is allocated.
 * </ul>
 *
 * <p>Backends: OpenCV's native decoder when its library loads (fastest, see bench/RESULTS.md
 * "Decoders"), else ImageIO + TwelveMonkeys (pure Java). {@code -Dconvkit.decoder.imageio=true}
 * forces the fallback. Thread-safe.
 */
public final class Decoder {
    /** PIL's {@code Image.MAX_IMAGE_PIXELS}: about a quarter gigabyte for a 24-bit image. */
    public static final long DEFAULT_MAX_PIXELS = 89_478_485L;

    /** The system property that raises (or lowers) the pixel limit. */
    public static final String MAX_PIXELS_PROPERTY = "convkit.maxImagePixels";

    private static volatile long maxPixels = Long.getLong(MAX_PIXELS_PROPERTY, DEFAULT_MAX_PIXELS);

    /** Which implementation decodes; {@link #AUTO} picks OpenCV where it can. */
    public enum Backend {
        AUTO,
        OPENCV,
        IMAGEIO
    }

    private Decoder() {}

    /**
     * @param bytes an encoded image
     * @param channels 1 or 3
     * @throws IOException when the bytes are not a readable image or the image is too large; the
     *     message says which
     */
    public static Image decode(byte[] bytes, int channels) throws IOException {
        return decode(bytes, channels, Backend.AUTO);
    }

    /** {@link #decode(byte[], int)} with a chosen backend (benchmarks, tests). */
    public static Image decode(byte[] bytes, int channels, Backend backend) throws IOException {
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException("channels must be 1 or 3, not " + channels);
        }
        if (bytes.length == 0) {
            throw new IOException("empty file (0 bytes)");
        }
        ImageHeader header = ImageHeader.read(bytes);
        long limit = maxPixels;
        if (header.pixels() >= 0) {
            checkSize(header.width(), header.height(), limit);
        }
        Image img = switch (backend) {
            case IMAGEIO -> ImageIoDecoder.decode(bytes, channels, limit);
            case OPENCV -> {
                if (!OpenCvDecoder.available()) {
                    throw new IllegalStateException("OpenCV's native library is not loaded");
                }
                yield OpenCvDecoder.decode(bytes, channels);
            }
            case AUTO -> autoDecode(bytes, channels, header, limit);
        };
        return Pixels.orient(img, header.orientation());
    }

    private static Image autoDecode(byte[] bytes, int channels, ImageHeader header, long limit) throws IOException {
        // CMYK/YCCK JPEGs: TwelveMonkeys converts them exactly as PIL does, OpenCV 1 level off
        if (!OpenCvDecoder.reads(header.format()) || header.components() == 4) {
            return ImageIoDecoder.decode(bytes, channels, limit);
        }
        try {
            return OpenCvDecoder.decode(bytes, channels);
        } catch (IOException | RuntimeException first) {
            // a second opinion: TwelveMonkeys reads some damaged JPEGs libjpeg gives up on
            try {
                return ImageIoDecoder.decode(bytes, channels, limit);
            } catch (IOException second) {
                throw new IOException(
                        "not a readable " + header.format().toUpperCase(Locale.ROOT) + " image (" + second.getMessage() + ")", second);
            }
        }
    }

    /** Refuses images above {@code limit} pixels with a message that says how to raise it. */
    static void checkSize(int width, int height, long limit) throws IOException {
        if (width <= 0 || height <= 0) {
            throw new IOException("image header says " + width + "x" + height + " pixels: corrupt file");
        }
        long pixels = (long) width * height;
        if (pixels > limit) {
            throw new ImageTooLargeException(String.format(
                    Locale.ROOT,
                    "image is %dx%d = %,d pixels, above the limit of %,d that guards against decompression bombs;"
                            + " if the image is genuine, raise the limit with -D%s=N (e.g. in CONVKIT_JAVA_OPTS)"
                            + " or Decoder.setMaxPixels(N)",
                    width,
                    height,
                    pixels,
                    limit,
                    MAX_PIXELS_PROPERTY));
        }
    }

    /** The current pixel limit. */
    public static long maxPixels() {
        return maxPixels;
    }

    /** Sets the pixel limit for every later decode in this JVM. */
    public static void setMaxPixels(long limit) {
        if (limit <= 0) {
            throw new IllegalArgumentException("pixel limit must be positive: " + limit);
        }
        maxPixels = limit;
    }

    /** What decodes by default, for logs and benchmark records ("opencv 4.9.0"). */
    public static String backendName() {
        return OpenCvDecoder.available() ? OpenCvDecoder.version() + " (imageio fallback)" : ImageIoDecoder.version();
    }

    /** Whether the native OpenCV decoder is in use. */
    public static boolean nativeAvailable() {
        return OpenCvDecoder.available();
    }

    /** Thrown for images above the pixel limit; an IOException so the loader skips and counts it. */
    public static final class ImageTooLargeException extends IOException {
        private static final long serialVersionUID = 1L;

        ImageTooLargeException(String message) {
            super(message);
        }
    }
}
