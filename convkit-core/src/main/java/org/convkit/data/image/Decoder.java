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
        return decode(bytes, channels, backend, maxPixels, raiseHint());
    }

    /** How the JVM-wide limit is raised, for the too-large message. */
    private static String raiseHint() {
        return String.format(Locale.ROOT,
                "; if the image is genuine, raise the limit with -D%s=N (e.g. in CONVKIT_JAVA_OPTS) or Decoder.setMaxPixels(N)",
                MAX_PIXELS_PROPERTY);
    }

    /** @param howToRaise appended to the too-large message: how this caller's limit is raised */
    private static Image decode(byte[] bytes, int channels, Backend backend, long limit, String howToRaise) throws IOException {
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException("channels must be 1 or 3, not " + channels);
        }
        ImageHeader header = check(bytes, limit, howToRaise);
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

    /**
     * What every encoded image must pass before pixels are allocated, from its bytes alone (no
     * ImageIO reader looked up): not empty, a sane size within the pixel limit ({@link #maxPixels()})
     * when the header gives one, and complete (a JPEG's end-of-image marker, a PNG's IEND chunk).
     * Decoding runs these checks first; packing and the recipe run them without decoding ({@link
     * org.convkit.data.inspect.ImageProbe}). An unknown format passes: ImageIO may still read it.
     *
     * @return the header ({@link ImageHeader#read})
     * @throws IOException saying why the bytes cannot be a usable image
     */
    public static ImageHeader check(byte[] bytes) throws IOException {
        return check(bytes, maxPixels, raiseHint());
    }

    private static ImageHeader check(byte[] bytes, long limit, String howToRaise) throws IOException {
        if (bytes.length == 0) {
            throw new IOException("empty file (0 bytes)");
        }
        ImageHeader header = ImageHeader.read(bytes);
        if (header.pixels() >= 0) {
            checkSize(header.width(), header.height(), limit, howToRaise);
        }
        String cut = truncation(header.format(), bytes);
        if (cut != null) {
            // libjpeg would pad the missing rows with gray and only warn; PIL refuses such files
            throw new IOException("truncated " + header.format() + ": " + cut + " (the file was cut off; copy it again)");
        }
        return header;
    }

    /**
     * Why a JPEG or PNG is cut short, or {@code null}: a file copied halfway keeps a good header
     * and fails only when decoded (or decodes gray at the bottom), so the end marker is checked.
     */
    static String truncation(String format, byte[] b) {
        if (format.equals("png")) {
            // the IEND chunk type, near the end (some writers append a few bytes after it)
            for (int i = b.length - 8; i >= Math.max(8, b.length - 4096); i--) {
                if (b[i] == 'I' && b[i + 1] == 'E' && b[i + 2] == 'N' && b[i + 3] == 'D') {
                    return null;
                }
            }
            return "no IEND chunk at the end";
        }
        if (!format.equals("jpeg")) {
            return null;
        }
        // walk the marker segments to the first start-of-scan, then look for end-of-image after it
        // (an EXIF thumbnail carries its own end marker inside APP1, which is skipped whole); junk
        // between segments is skipped, as PIL does
        int i = 2;
        while (i + 4 <= b.length) {
            if ((b[i] & 0xff) != 0xff) {
                i++;
                continue;
            }
            int marker = b[i + 1] & 0xff;
            if (marker == 0xff) {
                i++;
                continue;
            }
            if (marker == 0xda) {
                for (int j = b.length - 2; j > i; j--) {
                    if ((b[j] & 0xff) == 0xff && (b[j + 1] & 0xff) == 0xd9) {
                        return null;
                    }
                }
                return "no end-of-image marker after the image data";
            }
            int len = ((b[i + 2] & 0xff) << 8) | (b[i + 3] & 0xff);
            i += 2 + len;
        }
        return "the file ends before the image data";
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
