package org.convkit.data.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.Random;
import javax.imageio.ImageIO;
import org.convkit.data.Image;
import org.convkit.data.Sample;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

/** Decoding files written by ImageIO, whose pixels we know, and refusing bad input. */
class DecoderTest {

    private static BufferedImage noise(int w, int h, int type, long seed) {
        BufferedImage img = new BufferedImage(w, h, type);
        Random r = new Random(seed);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, r.nextInt(0x1000000));
            }
        }
        return img;
    }

    private static byte[] encode(BufferedImage img, String format) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertTrue(ImageIO.write(img, format, out), "ImageIO writes " + format);
        return out.toByteArray();
    }

    @ParameterizedTest
    @EnumSource(value = Decoder.Backend.class, names = {"AUTO", "OPENCV", "IMAGEIO"})
    void losslessFormatsGiveTheWrittenPixels(Decoder.Backend backend) throws IOException {
        org.convkit.Needs.need(backend.available(), backend + "'s native library (OpenCV from Maven; libturbojpeg0 from apt)");
        BufferedImage src = noise(37, 23, BufferedImage.TYPE_INT_RGB, 1);
        for (String format : new String[] {"png", "bmp"}) {
            Image img = Decoder.decode(encode(src, format), 3, backend);
            assertEquals(37, img.width());
            assertEquals(23, img.height());
            for (int y = 0; y < 23; y++) {
                for (int x = 0; x < 37; x++) {
                    int p = src.getRGB(x, y);
                    assertEquals((p >> 16) & 0xFF, img.get(x, y, 0), format + " R at " + x + "," + y);
                    assertEquals((p >> 8) & 0xFF, img.get(x, y, 1), format + " G");
                    assertEquals(p & 0xFF, img.get(x, y, 2), format + " B");
                }
            }
        }
    }

    @Test
    void grayPngIsNotBrightenedAndGrayOutputIsPilLuma() throws IOException {
        BufferedImage gray = new BufferedImage(16, 16, BufferedImage.TYPE_BYTE_GRAY);
        byte[] px = ((java.awt.image.DataBufferByte) gray.getRaster().getDataBuffer()).getData();
        for (int i = 0; i < px.length; i++) {
            px[i] = (byte) i;
        }
        for (Decoder.Backend b : new Decoder.Backend[] {Decoder.Backend.AUTO, Decoder.Backend.IMAGEIO}) {
            Image rgb = Decoder.decode(encode(gray, "png"), 3, b);
            Image g = Decoder.decode(encode(gray, "png"), 1, b);
            for (int i = 0; i < 256; i++) {
                assertEquals(i, rgb.data()[3 * i] & 0xFF, b + ": gray level " + i + " kept (no gamma change)");
                assertEquals(i, g.data()[i] & 0xFF, b + ": L of a gray pixel is itself");
            }
        }
        // PIL's L: (19595 R + 38470 G + 7471 B + 0x8000) >> 16, e.g. (255, 0, 0) -> 76
        assertEquals(76, Pixels.luma(255, 0, 0));
        assertEquals(150, Pixels.luma(0, 255, 0));
        assertEquals(29, Pixels.luma(0, 0, 255));
    }

    @Test
    void gifFirstFrameAndOneByOne() throws IOException {
        BufferedImage one = noise(1, 1, BufferedImage.TYPE_INT_RGB, 3);
        Image img = Decoder.decode(encode(one, "png"), 3);
        assertEquals(1, img.width());
        assertEquals(1, img.height());
        BufferedImage pal = new BufferedImage(8, 5, BufferedImage.TYPE_BYTE_INDEXED);
        pal.setRGB(2, 3, 0xFF0000);
        Image gif = Decoder.decode(encode(pal, "gif"), 3);
        assertEquals(8, gif.width());
        assertEquals(pal.getRGB(2, 3) & 0xFFFFFF, (gif.get(2, 3, 0) << 16) | (gif.get(2, 3, 1) << 8) | gif.get(2, 3, 2));
    }

    @Test
    void jpegDecodesCloseToSource() throws IOException {
        BufferedImage src = new BufferedImage(64, 48, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 48; y++) {
            for (int x = 0; x < 64; x++) {
                src.setRGB(x, y, (x * 4) << 16 | (y * 5) << 8 | 128);
            }
        }
        byte[] jpg = encode(src, "jpg");
        Image a = Decoder.decode(jpg, 3, Decoder.Backend.AUTO);
        Image b = Decoder.decode(jpg, 3, Decoder.Backend.IMAGEIO);
        long diff = 0;
        for (int i = 0; i < a.data().length; i++) {
            diff += Math.abs((a.data()[i] & 0xFF) - (b.data()[i] & 0xFF));
        }
        assertTrue(diff / (double) a.data().length < 1.0, "the two backends agree on a smooth JPEG");
        assertTrue(Math.abs(a.get(40, 10, 0) - 160) < 8, "red ramp preserved");
    }

    @Test
    void exifOrientationIsApplied() throws IOException {
        BufferedImage src = new BufferedImage(40, 16, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 8; y++) {
            for (int x = 0; x < 8; x++) {
                src.setRGB(x, y, 0xFFFFFF); // a white block in the top-left corner
            }
        }
        byte[] jpg = withExifOrientation(encode(src, "jpg"), 6);
        assertEquals(6, ImageHeader.read(jpg).orientation());
        for (Decoder.Backend b : Decoder.Backend.values()) {
            if (!b.available()) {
                continue;
            }
            Image img = Decoder.decode(jpg, 3, b);
            // orientation 6 = the camera was turned: rotate 90 degrees clockwise to show it upright
            assertEquals(16, img.width(), b + ": width and height swapped");
            assertEquals(40, img.height());
            assertTrue(img.get(12, 3, 0) > 200, b + ": the white block moved to the top-right");
            assertTrue(img.get(3, 3, 0) < 50, b + ": top-left is black now");
        }
    }

    /** Inserts an APP1 EXIF segment holding only IFD0 with Orientation after SOI. */
    static byte[] withExifOrientation(byte[] jpg, int orientation) {
        byte[] tiff = {
            'M', 'M', 0, 42, 0, 0, 0, 8, // big-endian TIFF header, IFD0 at 8
            0, 1, // one entry
            0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, (byte) orientation, 0, 0, // Orientation, SHORT, 1
            0, 0, 0, 0 // no next IFD
        };
        int len = 2 + 6 + tiff.length;
        byte[] app1 = new byte[2 + len];
        app1[0] = (byte) 0xFF;
        app1[1] = (byte) 0xE1;
        app1[2] = (byte) (len >> 8);
        app1[3] = (byte) len;
        System.arraycopy(new byte[] {'E', 'x', 'i', 'f', 0, 0}, 0, app1, 4, 6);
        System.arraycopy(tiff, 0, app1, 10, tiff.length);
        byte[] out = new byte[jpg.length + app1.length];
        System.arraycopy(jpg, 0, out, 0, 2);
        System.arraycopy(app1, 0, out, 2, app1.length);
        System.arraycopy(jpg, 2, out, 2 + app1.length, jpg.length - 2);
        return out;
    }

    @Test
    void decompressionBombIsRefusedFromTheHeader() throws IOException {
        byte[] png = encode(noise(4, 4, BufferedImage.TYPE_INT_RGB, 2), "png");
        // claim 20000 x 20000 in IHDR: the limit triggers before any decoder looks at the data
        byte[] bomb = png.clone();
        for (int i : new int[] {16, 20}) {
            bomb[i] = 0;
            bomb[i + 1] = 0;
            bomb[i + 2] = (byte) (20000 >> 8);
            bomb[i + 3] = (byte) 20000;
        }
        IOException e = assertThrows(Decoder.ImageTooLargeException.class, () -> Decoder.decode(bomb, 3));
        assertTrue(e.getMessage().contains("20000x20000"), e.getMessage());
        assertTrue(e.getMessage().contains("89,478,485"), "names the limit: " + e.getMessage());
        assertTrue(e.getMessage().contains(Decoder.MAX_PIXELS_PROPERTY), "says how to raise it: " + e.getMessage());
        long old = Decoder.maxPixels();
        try {
            Decoder.setMaxPixels(10);
            assertThrows(Decoder.ImageTooLargeException.class, () -> Decoder.decode(png, 3));
        } finally {
            Decoder.setMaxPixels(old);
        }
        // a caller's own limit (a server's --max-pixels) applies to its calls only
        Sample small = Sample.encoded("png", png);
        IOException own = assertThrows(Decoder.ImageTooLargeException.class, () -> Decoder.image(small, 3, 10));
        assertTrue(own.getMessage().contains("4x4 = 16 pixels, above the limit of 10"), own.getMessage());
        assertFalse(own.getMessage().contains(Decoder.MAX_PIXELS_PROPERTY), "no JVM-wide hint for a caller's limit: " + own.getMessage());
        assertEquals(4, Decoder.image(small, 3, 16).width());
        assertEquals(4, Decoder.decode(png, 3).width(), "the JVM-wide limit is untouched");
        assertThrows(Decoder.ImageTooLargeException.class, () -> Decoder.image(Sample.encoded("bomb", bomb), 3, 399_999_999L));
    }

    @Test
    void badBytesAreIoExceptionsWithAReason() throws IOException {
        byte[] jpg = encode(noise(64, 64, BufferedImage.TYPE_INT_RGB, 4), "jpg");
        byte[] png = encode(noise(64, 64, BufferedImage.TYPE_INT_RGB, 4), "png");
        assertTrue(assertThrows(IOException.class, () -> Decoder.decode(new byte[0], 3)).getMessage().contains("empty"));
        assertThrows(IOException.class, () -> Decoder.decode("not an image at all, just text".getBytes(), 3));
        assertThrows(IOException.class, () -> Decoder.decode(Arrays.copyOf(png, png.length / 2), 3));
        IOException t = assertThrows(IOException.class, () -> Decoder.decode(Arrays.copyOf(jpg, jpg.length / 2), 3));
        assertTrue(t.getMessage().contains("truncated"), t.getMessage());
        byte[] garbage = jpg.clone();
        for (int i = 200; i < garbage.length - 2; i++) {
            garbage[i] = (byte) (i * 31);
        }
        // corrupt entropy data may still decode to noise (as in PIL); it must not crash
        try {
            Decoder.decode(garbage, 3);
        } catch (IOException expected) {
            // fine too
        }
        for (Decoder.Backend b : Decoder.Backend.values()) {
            if (b.available()) {
                try {
                    Decoder.decode(garbage, 3, b);
                } catch (IOException | RuntimeException expected) {
                    // each backend may refuse it
                }
                assertEquals(64, Decoder.decode(jpg, 3, b).width(), b + " still decodes after a failure (no stale state)");
            }
        }
    }

    @Test
    void orientationsMatchPilTransposes() {
        Image img = new Image(3, 2, 1, new byte[] {1, 2, 3, 4, 5, 6});
        // PIL: ROTATE_270 (orientation 6) of [[1,2,3],[4,5,6]] is [[4,1],[5,2],[6,3]]
        assertArrayEquals(new byte[] {4, 1, 5, 2, 6, 3}, Pixels.orient(img, 6).data());
        assertArrayEquals(new byte[] {3, 6, 2, 5, 1, 4}, Pixels.orient(img, 8).data());
        assertArrayEquals(new byte[] {1, 4, 2, 5, 3, 6}, Pixels.orient(img, 5).data());
        assertArrayEquals(new byte[] {6, 3, 5, 2, 4, 1}, Pixels.orient(img, 7).data());
        assertArrayEquals(new byte[] {6, 5, 4, 3, 2, 1}, Pixels.orient(img, 3).data());
        assertArrayEquals(new byte[] {3, 2, 1, 6, 5, 4}, Pixels.orient(img, 2).data());
        assertArrayEquals(new byte[] {4, 5, 6, 1, 2, 3}, Pixels.orient(img, 4).data());
    }
}
