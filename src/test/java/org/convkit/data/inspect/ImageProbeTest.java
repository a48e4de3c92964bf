package org.convkit.data.inspect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import org.convkit.data.TestImages;
import org.junit.jupiter.api.Test;

class ImageProbeTest {
    @Test
    void sizeAndModeFromTheHeader() throws Exception {
        ImageProbe.Info jpg = ImageProbe.probe(TestImages.encode(TestImages.rgb(31, 17, 1), "jpeg"));
        assertEquals("jpeg", jpg.format());
        assertEquals(31, jpg.width());
        assertEquals(17, jpg.height());
        assertEquals("RGB", jpg.mode());
        BufferedImage gray = new BufferedImage(5, 6, BufferedImage.TYPE_BYTE_GRAY);
        ImageProbe.Info png = ImageProbe.probe(TestImages.encode(gray, "png"));
        assertEquals("L", png.mode());
        assertEquals(1, png.channels());
        BufferedImage argb = new BufferedImage(5, 6, BufferedImage.TYPE_INT_ARGB);
        assertEquals("RGBA", ImageProbe.probe(TestImages.encode(argb, "png")).mode());
        assertEquals("bmp", ImageProbe.probe(TestImages.encode(TestImages.rgb(3, 3, 2), "bmp")).format());
        ImageProbe.Info one = ImageProbe.probe(TestImages.encode(TestImages.rgb(1, 1, 3), "png"));
        assertEquals(1, one.width());
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
