package org.convkit.data.image;

import com.twelvemonkeys.imageio.metadata.CompoundDirectory;
import com.twelvemonkeys.imageio.metadata.Directory;
import com.twelvemonkeys.imageio.metadata.Entry;
import com.twelvemonkeys.imageio.metadata.tiff.TIFF;
import com.twelvemonkeys.imageio.metadata.tiff.TIFFReader;
import com.twelvemonkeys.imageio.stream.ByteArrayImageInputStream;
import java.io.IOException;

/**
 * What the first bytes of an encoded image say, read before any pixel memory is allocated: the
 * format, the dimensions (for the decompression-bomb check), a PIL-style mode (for inspect's
 * histograms and the recipe's channel guess) and, for JPEG, the EXIF orientation. The one place
 * that parses image headers: the decoder and {@link org.convkit.data.inspect.ImageProbe} ask it.
 *
 * <p>Why not ask a decoder: OpenCV has no header-only call, and ImageIO's reader lookup costs more
 * than decoding a 32x32 JPEG. The formats' headers are fixed (JPEG SOFn, PNG IHDR, GIF logical
 * screen, BMP info header); the EXIF block itself is parsed by TwelveMonkeys' TIFF reader.
 *
 * @param format "jpeg", "png", "gif", "bmp", "webp", "tiff", "pnm" or "unknown"
 * @param width pixels, or -1 when the header is not parsed for it (TIFF, PNM, unknown)
 * @param height pixels, or -1
 * @param orientation EXIF orientation 1..8 (1 = as stored), 1 when absent
 * @param components JPEG colour components (1 gray, 3 YCbCr/RGB, 4 CMYK/YCCK), else -1
 * @param mode PIL-style mode ("L", "RGB", "RGBA", "P", "CMYK", "I;16"...), "?" when the header
 *     does not say
 */
public record ImageHeader(String format, int width, int height, int orientation, int components, String mode) {

    /** Header of {@code b}; never throws: a header it cannot parse gives format "unknown". */
    public static ImageHeader read(byte[] b) {
        try {
            if (b.length >= 4 && u8(b, 0) == 0xFF && u8(b, 1) == 0xD8) {
                return jpeg(b);
            }
            if (b.length >= 24 && u8(b, 0) == 0x89 && b[1] == 'P' && b[2] == 'N' && b[3] == 'G') {
                return new ImageHeader("png", be32(b, 16), be32(b, 20), 1, -1, pngMode(b));
            }
            if (b.length >= 10 && b[0] == 'G' && b[1] == 'I' && b[2] == 'F') {
                return new ImageHeader("gif", le16(b, 6), le16(b, 8), 1, -1, "P");
            }
            if (b.length >= 26 && b[0] == 'B' && b[1] == 'M') {
                String mode = bmpMode(b);
                int dib = le32(b, 14);
                if (dib == 12) {
                    return new ImageHeader("bmp", le16(b, 18), le16(b, 20), 1, -1, mode);
                }
                // a negative height means rows stored top-down
                return new ImageHeader("bmp", le32(b, 18), Math.abs(le32(b, 22)), 1, -1, mode);
            }
            if (b.length >= 30 && b[0] == 'R' && b[1] == 'I' && b[8] == 'W' && b[9] == 'E') {
                return webp(b);
            }
            // formats torchvision accepts whose size is not parsed here: ImageIO sizes them
            if (b.length >= 4 && ((b[0] == 'I' && b[1] == 'I' && b[2] == 42 && b[3] == 0) || (b[0] == 'M' && b[1] == 'M' && b[2] == 0 && b[3] == 42))) {
                return unsized("tiff", "?");
            }
            if (b.length >= 2 && b[0] == 'P' && b[1] >= '1' && b[1] <= '6') {
                return unsized("pnm", b[1] == '1' || b[1] == '4' ? "1" : b[1] == '2' || b[1] == '5' ? "L" : "RGB");
            }
        } catch (ArrayIndexOutOfBoundsException e) {
            // truncated header: let the decoder report it
        }
        return unsized("unknown", "?");
    }

    /** Whether the bytes look like an image format at all (the size may still be unknown). */
    public boolean known() {
        return !format.equals("unknown");
    }

    /** 1 for gray modes, 3 for colour ones, 0 when unknown (the model's channels decide). */
    public int channels() {
        return switch (mode) {
            case "L", "LA", "1", "I;16" -> 1;
            case "RGB", "RGBA", "P", "CMYK" -> 3;
            default -> 0;
        };
    }

    private static ImageHeader unsized(String format, String mode) {
        return new ImageHeader(format, -1, -1, 1, -1, mode);
    }

    /** IHDR: bit depth at byte 24, colour type at byte 25. */
    private static String pngMode(byte[] b) {
        int depth = b.length > 25 ? u8(b, 24) : 8;
        int type = b.length > 25 ? u8(b, 25) : -1;
        return switch (type) {
            case 0 -> depth == 1 ? "1" : depth == 16 ? "I;16" : "L";
            case 2 -> "RGB";
            case 3 -> "P";
            case 4 -> "LA";
            case 6 -> "RGBA";
            default -> "?";
        };
    }

    /** Bits per pixel of the info header: 8 or fewer means a palette. */
    private static String bmpMode(byte[] b) {
        // the 12-byte OS/2 core header has 16-bit sizes, so its bit count comes 4 bytes earlier
        int at = le32(b, 14) == 12 ? 24 : 28;
        int bits = b.length > at + 1 ? le16(b, at) : 24;
        return bits <= 8 ? "P" : bits == 32 ? "RGBA" : "RGB";
    }

    /** Pixels, or -1 when unknown. */
    public long pixels() {
        return width < 0 || height < 0 ? -1 : (long) width * height;
    }

    private static ImageHeader jpeg(byte[] b) {
        int w = -1;
        int h = -1;
        int orientation = 1;
        int components = -1;
        int i = 2;
        while (i + 4 <= b.length) {
            if (u8(b, i) != 0xFF) {
                i++; // fill bytes or garbage between segments: resynchronize
                continue;
            }
            int marker = u8(b, i + 1);
            if (marker == 0xFF) {
                i++;
                continue;
            }
            if (marker == 0xD8 || marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) {
                i += 2; // markers without a length
                continue;
            }
            if (marker == 0xDA || marker == 0xD9) {
                break; // start of scan / end of image: the header is over
            }
            int len = be16(b, i + 2);
            int body = i + 4;
            boolean sof = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
            if (sof && w < 0) {
                h = be16(b, body + 1);
                w = be16(b, body + 3);
                components = u8(b, body + 5);
            } else if (marker == 0xE1 && len >= 8 && isExif(b, body)) {
                orientation = exifOrientation(b, body + 6, len - 8);
            }
            i += 2 + len;
        }
        return new ImageHeader("jpeg", w, h, orientation, components,
                components == 1 ? "L" : components == 4 ? "CMYK" : "RGB");
    }

    private static boolean isExif(byte[] b, int at) {
        return b[at] == 'E' && b[at + 1] == 'x' && b[at + 2] == 'i' && b[at + 3] == 'f' && b[at + 4] == 0;
    }

    private static int exifOrientation(byte[] b, int offset, int length) {
        try {
            Directory dir = new TIFFReader().read(new ByteArrayImageInputStream(b, offset, Math.min(length, b.length - offset)));
            if (dir instanceof CompoundDirectory c && c.directoryCount() > 0) {
                dir = c.getDirectory(0); // IFD0 describes the main image; IFD1 is the thumbnail
            }
            Entry e = dir.getEntryById(TIFF.TAG_ORIENTATION);
            if (e != null && e.getValue() instanceof Number n && n.intValue() >= 1 && n.intValue() <= 8) {
                return n.intValue();
            }
        } catch (IOException | RuntimeException e) {
            // a damaged EXIF block must not make a readable image unreadable: PIL ignores it too
        }
        return 1;
    }

    private static ImageHeader webp(byte[] b) {
        String chunk = new String(b, 12, 4, java.nio.charset.StandardCharsets.US_ASCII);
        switch (chunk) {
            case "VP8 ":
                return new ImageHeader("webp", le16(b, 26) & 0x3FFF, le16(b, 28) & 0x3FFF, 1, -1, "?");
            case "VP8L": {
                int bits = le32(b, 21);
                return new ImageHeader("webp", (bits & 0x3FFF) + 1, ((bits >>> 14) & 0x3FFF) + 1, 1, -1, "?");
            }
            case "VP8X":
                return new ImageHeader("webp", 1 + le24(b, 24), 1 + le24(b, 27), 1, -1, "?");
            default:
                return new ImageHeader("webp", -1, -1, 1, -1, "?");
        }
    }

    private static int u8(byte[] b, int i) {
        return b[i] & 0xFF;
    }

    private static int be16(byte[] b, int i) {
        return (u8(b, i) << 8) | u8(b, i + 1);
    }

    private static int be32(byte[] b, int i) {
        return (be16(b, i) << 16) | be16(b, i + 2);
    }

    private static int le16(byte[] b, int i) {
        return u8(b, i) | (u8(b, i + 1) << 8);
    }

    private static int le24(byte[] b, int i) {
        return le16(b, i) | (u8(b, i + 2) << 16);
    }

    private static int le32(byte[] b, int i) {
        return le16(b, i) | (le16(b, i + 2) << 16);
    }
}
