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
 * <p>Backends, fastest first (bench/RESULTS.md "Decoders"): JPEGs go to the system's
 * libjpeg-turbo when installed ({@link TurboJpegDecoder}, optional, Debian {@code libturbojpeg0}),
 * else to OpenCV's native decoder (org.openpnp:opencv from Maven Central), which also takes PNG,
 * BMP and WebP; GIF, CMYK JPEGs and anything a native decoder rejects go to ImageIO +
 * TwelveMonkeys (pure Java). {@code -Dconvkit.decoder.imageio=true} forces the pure-Java path.
 * Thread-safe.
 */
public final class Decoder {
    /** PIL's {@code Image.MAX_IMAGE_PIXELS}: about a quarter gigabyte for a 24-bit image. */
    public static final long DEFAULT_MAX_PIXELS = 89_478_485L;

    /** The system property that raises (or lowers) the pixel limit. */
    public static final String MAX_PIXELS_PROPERTY = "convkit.maxImagePixels";

    private static volatile long maxPixels = Long.getLong(MAX_PIXELS_PROPERTY, DEFAULT_MAX_PIXELS);
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Decoder.class);
    private static volatile boolean hinted;

    /** Which implementation decodes; {@link #AUTO} picks OpenCV where it can. */
    public enum Backend {
        AUTO,
        TURBOJPEG,
        OPENCV,
        IMAGEIO;

        /** Whether this backend can run here (native libraries loaded). */
        public boolean available() {
            return switch (this) {
                case AUTO, IMAGEIO -> true;
                case OPENCV -> OpenCvDecoder.available();
                case TURBOJPEG -> TurboJpegDecoder.available();
            };
        }
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

    /**
     * A sample's pixels with {@code channels} channels: raw pixels (IDX, CIFAR) converted, encoded
     * bytes decoded.
     */
    public static Image image(org.convkit.data.Sample s, int channels) throws IOException {
        return s.pixels() != null ? Pixels.toChannels(s.pixels(), channels) : decode(s.encoded(), channels);
    }

    /**
     * {@link #image(org.convkit.data.Sample, int)} with a pixel limit of the caller's own instead of
     * the JVM-wide {@link #maxPixels()}: a server sets its {@code --max-pixels} without changing what
     * other code in the process accepts.
     */
    public static Image image(org.convkit.data.Sample s, int channels, long maxPixels) throws IOException {
        if (maxPixels <= 0) {
            throw new IllegalArgumentException("pixel limit must be positive: " + maxPixels);
        }
        return s.pixels() != null ? Pixels.toChannels(s.pixels(), channels)
                : decode(s.encoded(), channels, Backend.AUTO, maxPixels, "");
    }

    /** {@link #decode(byte[], int)} with a chosen backend (benchmarks, tests). */
    public static Image decode(byte[] bytes, int channels, Backend backend) throws IOException {
        return decode(bytes, channels, backend, maxPixels, String.format(Locale.ROOT,
                "; if the image is genuine, raise the limit with -D%s=N (e.g. in CONVKIT_JAVA_OPTS) or Decoder.setMaxPixels(N)",
                MAX_PIXELS_PROPERTY));
    }

    /** @param howToRaise appended to the too-large message: how this caller's limit is raised */
    private static Image decode(byte[] bytes, int channels, Backend backend, long limit, String howToRaise) throws IOException {
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException("channels must be 1 or 3, not " + channels);
        }
        if (bytes.length == 0) {
            throw new IOException("empty file (0 bytes)");
        }
        ImageHeader header = ImageHeader.read(bytes);
        if (header.pixels() >= 0) {
            checkSize(header.width(), header.height(), limit, howToRaise);
        }
        if (header.format().equals("jpeg") && !endsJpeg(bytes)) {
            // libjpeg would pad the missing rows with gray and only warn; PIL refuses such files
            throw new IOException("truncated JPEG: no end-of-image marker, the file was cut off (copy it again)");
        }
        Image img = switch (backend) {
            case IMAGEIO -> ImageIoDecoder.decode(bytes, channels, limit, howToRaise);
            case OPENCV -> {
                if (!OpenCvDecoder.available()) {
                    throw new IllegalStateException("OpenCV's native library is not loaded");
                }
                yield OpenCvDecoder.decode(bytes, channels);
            }
            case TURBOJPEG -> {
                if (!TurboJpegDecoder.available()) {
                    throw new IllegalStateException("libturbojpeg is not installed (Debian: apt-get install libturbojpeg0)");
                }
                yield TurboJpegDecoder.decode(bytes, channels);
            }
            case AUTO -> autoDecode(bytes, channels, header, limit, howToRaise);
        };
        return Pixels.orient(img, header.orientation());
    }

    /**
     * Which backend {@link Backend#AUTO} gives a baseline RGB/gray JPEG here (what {@code convkit
     * doctor} reports): libjpeg-turbo when installed, else OpenCV, else ImageIO.
     */
    public static Backend jpegBackend() {
        return TurboJpegDecoder.available() ? Backend.TURBOJPEG
                : OpenCvDecoder.reads("jpeg") ? Backend.OPENCV : Backend.IMAGEIO;
    }

    private static Image autoDecode(byte[] bytes, int channels, ImageHeader header, long limit, String howToRaise)
            throws IOException {
        // CMYK/YCCK JPEGs: TwelveMonkeys converts them exactly as PIL does, OpenCV 1 level off
        boolean jpeg = header.format().equals("jpeg");
        boolean turbo = jpeg && jpegBackend() == Backend.TURBOJPEG;
        if (!OpenCvDecoder.reads(header.format()) && !turbo || header.components() == 4) {
            return ImageIoDecoder.decode(bytes, channels, limit, howToRaise);
        }
        try {
            if (turbo) {
                return TurboJpegDecoder.decode(bytes, channels);
            }
            if (jpeg && !hinted && (long) header.width() * header.height() >= 100_000) {
                hinted = true;
                LOG.info("JPEG photos decode 2-3x faster with libjpeg-turbo: apt-get install libturbojpeg0 (Debian/Ubuntu)");
            }
            return OpenCvDecoder.decode(bytes, channels);
        } catch (IOException | RuntimeException first) {
            // a second opinion: TwelveMonkeys reads some damaged JPEGs libjpeg-turbo gives up on
            try {
                return ImageIoDecoder.decode(bytes, channels, limit, howToRaise);
            } catch (IOException second) {
                throw new IOException(
                        "not a readable " + header.format().toUpperCase(Locale.ROOT) + " image (" + second.getMessage() + ")", second);
            }
        }
    }

    /** Whether the end-of-image marker is in the last 4 KiB (some writers append padding). */
    private static boolean endsJpeg(byte[] b) {
        for (int i = b.length - 2; i >= Math.max(0, b.length - 4096); i--) {
            if (b[i] == (byte) 0xFF && b[i + 1] == (byte) 0xD9) {
                return true;
            }
        }
        return false;
    }

    /** Refuses images above {@code limit} pixels; {@code howToRaise} ends the message. */
    static void checkSize(int width, int height, long limit, String howToRaise) throws IOException {
        if (width <= 0 || height <= 0) {
            throw new IOException("image header says " + width + "x" + height + " pixels: corrupt file");
        }
        long pixels = (long) width * height;
        if (pixels > limit) {
            throw new ImageTooLargeException(String.format(
                    Locale.ROOT,
                    "image is %dx%d = %,d pixels, above the limit of %,d that guards against decompression bombs%s",
                    width,
                    height,
                    pixels,
                    limit,
                    howToRaise));
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
        String jpeg = TurboJpegDecoder.available() ? "libturbojpeg" : OpenCvDecoder.available() ? OpenCvDecoder.version() : ImageIoDecoder.version();
        String other = OpenCvDecoder.available() ? OpenCvDecoder.version() : ImageIoDecoder.version();
        return "JPEG: " + jpeg + ", PNG/BMP/WebP: " + other + ", GIF/CMYK/fallback: " + ImageIoDecoder.version();
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
