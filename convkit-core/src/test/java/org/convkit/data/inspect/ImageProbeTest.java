package org.convkit.data.inspect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import org.convkit.data.TestImages;
import org.convkit.data.image.ImageHeader;
import org.junit.jupiter.api.Test;

class ImageProbeTest {
    @Test
    void sizeAndModeFromTheHeader() throws Exception {
        ImageHeader jpg = ImageProbe.probe(TestImages.encode(TestImages.rgb(31, 17, 1), "jpeg"));
        assertEquals("jpeg", jpg.format());
        assertEquals(31, jpg.width());
        assertEquals(17, jpg.height());
        assertEquals("RGB", jpg.mode());
        BufferedImage gray = new BufferedImage(5, 6, BufferedImage.TYPE_BYTE_GRAY);
        ImageHeader png = ImageProbe.probe(TestImages.encode(gray, "png"));
        assertEquals("L", png.mode());
        assertEquals(1, png.channels());
        BufferedImage argb = new BufferedImage(5, 6, BufferedImage.TYPE_INT_ARGB);
        assertEquals("RGBA", ImageProbe.probe(TestImages.encode(argb, "png")).mode());
        assertEquals("bmp", ImageProbe.probe(TestImages.encode(TestImages.rgb(3, 3, 2), "bmp")).format());
        ImageHeader one = ImageProbe.probe(TestImages.encode(TestImages.rgb(1, 1, 3), "png"));
        assertEquals(1, one.width());
    }

    @Test
    void formatsWhoseSizeIsNotParsedStillGiveFormatAndMode() throws Exception {
        ImageHeader pgm = ImageProbe.probe("P5\n2 1\n255\n\0\377".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        assertEquals("pnm", pgm.format());
        assertEquals("L", pgm.mode());
        assertEquals(-1, pgm.width(), "the decoder sizes PNM files");
        assertEquals("RGB", ImageProbe.probe("P6\n1 1\n255\nabc".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1)).mode());
        ImageHeader tiff = ImageProbe.probe(new byte[] {'M', 'M', 0, 42, 0, 0, 0, 8});
        assertEquals("tiff", tiff.format());
        assertEquals(0, tiff.channels(), "unknown mode: the model's channels decide");
    }

    @Test
    void os2BitmapsReadTheirBitCountFromTheCoreHeader() throws Exception {
        // 14-byte file header, 12-byte core header (3x2, 1 plane, 8 bits), then a palette of 0xFF
        byte[] b = new byte[26 + 3 * 256 + 8];
        java.util.Arrays.fill(b, (byte) 0xFF);
        byte[] head = {'B', 'M', 0, 0, 0, 0, 0, 0, 0, 0, 26, 3, 0, 0, 12, 0, 0, 0, 3, 0, 2, 0, 1, 0, 8, 0};
        System.arraycopy(head, 0, b, 0, head.length);
        ImageHeader h = ImageProbe.probe(b);
        assertEquals(3, h.width());
        assertEquals(2, h.height());
        assertEquals("P", h.mode());
    }

    @Test
    void truncatedCorruptEmptyAndNonImagesAreRefusedWithAReason() {
        byte[] jpg = TestImages.encode(TestImages.rgb(64, 64, 4), "jpeg");
        IOException cut = assertThrows(IOException.class, () -> ImageProbe.probe(TestImages.truncated(jpg, jpg.length - 10)));
        assertTrue(cut.getMessage().startsWith("truncated jpeg"), cut.getMessage());
        IOException header = assertThrows(IOException.class, () -> ImageProbe.probe(TestImages.truncated(jpg, 40)));
        assertTrue(header.getMessage().contains("jpeg"), header.getMessage());
        byte[] png = TestImages.encode(TestImages.rgb(64, 64, 5), "png");
        IOException pcut = assertThrows(IOException.class, () -> ImageProbe.probe(TestImages.truncated(png, png.length / 2)));
        assertTrue(pcut.getMessage().contains("IEND"), pcut.getMessage());
        assertTrue(assertThrows(IOException.class, () -> ImageProbe.probe(new byte[0])).getMessage().contains("0 bytes"));
        IOException text = assertThrows(IOException.class, () -> ImageProbe.probe("<html></html>".getBytes()));
        assertTrue(text.getMessage().contains("first bytes 3c 68 74 6d"), text.getMessage());
    }
}
