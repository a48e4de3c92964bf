package org.convkit.data.synth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.convkit.data.Dataset;
import org.convkit.data.load.Datasets;
import org.convkit.data.OpenOptions;
import org.convkit.data.Sample;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StreetNumbersTest {
    @Test
    void sameSeedSameFilesAndTheDatasetReadsAsSequencesWithBlanks(@TempDir Path tmp) throws Exception {
        StreetNumbers.Options o = new StreetNumbers.Options(40, 4, 10);
        StreetNumbers.write(tmp.resolve("a"), 30, 10, 10, o, 7);
        StreetNumbers.write(tmp.resolve("b"), 30, 10, 10, o, 7);
        for (String f : new String[] {"mchar_train.json", "mchar_val/000003.png", "mchar_test/000009.png"}) {
            assertArrayEquals(Files.readAllBytes(tmp.resolve("a").resolve(f)), Files.readAllBytes(tmp.resolve("b").resolve(f)), f);
        }
        Dataset d = Datasets.open(tmp.resolve("a").toString(), OpenOptions.defaults());
        assertEquals(4, d.heads(), "K = the longest label");
        assertEquals(30, d.train().size());
        assertEquals(10, d.valid().size(), "mchar_val is the validation split");
        assertEquals(10, d.test().size());
        assertEquals("blank", d.classes().get(10));
        int lengths = 0;
        for (int i = 0; i < d.train().size(); i++) {
            Sample s = d.train().get(i);
            int[] l = s.labels();
            int n = 0;
            while (n < 4 && l[n] != 10) {
                n++;
            }
            for (int k = n; k < 4; k++) {
                assertEquals(10, l[k], "padded at the end with the blank class");
            }
            assertTrue(n >= 1, "at least one digit");
            lengths |= 1 << n;
        }
        assertEquals(0b11110, lengths, "1 to 4 digits occur");
        var img = javax.imageio.ImageIO.read(tmp.resolve("a/mchar_train/000000.png").toFile());
        assertEquals(40, img.getWidth());
        assertEquals(40, img.getHeight());
    }
}
