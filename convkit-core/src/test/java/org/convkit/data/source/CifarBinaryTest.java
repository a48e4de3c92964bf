package org.convkit.data.source;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.convkit.core.ConvkitException;
import org.convkit.data.Image;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CifarBinaryTest {
    @TempDir
    Path dir;

    /** n records: label bytes then R, G, B planes where R = i, G = pixel index low byte, B = 200. */
    static byte[] batch(int n, int labelBytes, int firstLabel) {
        int rec = labelBytes + 3072;
        byte[] b = new byte[n * rec];
        for (int i = 0; i < n; i++) {
            for (int l = 0; l < labelBytes; l++) {
                b[i * rec + l] = (byte) (firstLabel + i + l * 10);
            }
            for (int p = 0; p < 1024; p++) {
                b[i * rec + labelBytes + p] = (byte) i;
                b[i * rec + labelBytes + 1024 + p] = (byte) p;
                b[i * rec + labelBytes + 2048 + p] = (byte) 200;
            }
        }
        return b;
    }

    @Test
    void cifar10PlanesBecomeHwcAndMetaGivesNames() throws Exception {
        Path d = Files.createDirectories(dir.resolve("cifar-10-batches-bin"));
        Files.write(d.resolve("data_batch_2.bin"), batch(2, 1, 3));
        Files.write(d.resolve("data_batch_1.bin"), batch(3, 1, 0));
        Files.write(d.resolve("test_batch.bin"), batch(1, 1, 9));
        Files.writeString(d.resolve("batches.meta.txt"), "a\nb\nc\nd\ne\nf\ng\nh\ni\nj\n\n");
        CifarBinary.Layout l = CifarBinary.find(dir);
        assertFalse(l.cifar100());
        assertEquals(List.of("data_batch_1.bin", "data_batch_2.bin"), l.train().stream().map(p -> p.getFileName().toString()).toList());
        List<String> classes = CifarBinary.classes(l);
        assertEquals(10, classes.size());
        List<String> warnings = new ArrayList<>();
        RawSplit train = CifarBinary.read(l, l.train(), classes, "train", warnings);
        assertEquals(5, train.source().size());
        assertEquals(2, warnings.size(), "short batches are mentioned");
        Image img = train.source().get(4).pixels();
        assertArrayEquals(new int[] {4}, train.source().get(4).labels(), "record 1 of batch 2 has label 3 + 1");
        assertEquals(32, img.width());
        assertEquals(3, img.channels());
        // pixel (x=5, y=1) = index 37: R = record number within batch (1), G = 37, B = 200
        assertEquals(1, img.get(5, 1, 0));
        assertEquals(37, img.get(5, 1, 1));
        assertEquals(200, img.get(5, 1, 2));
    }

    @Test
    void cifar100UsesTheFineLabel() throws Exception {
        Files.write(dir.resolve("train.bin"), batch(2, 2, 1));
        CifarBinary.Layout l = CifarBinary.find(dir);
        assertTrue(l.cifar100());
        RawSplit r = CifarBinary.read(l, l.train(), CifarBinary.classes(l), "train", new ArrayList<>());
        // coarse = 1 + i, fine = 1 + i + 10
        assertArrayEquals(new int[] {11}, r.source().get(0).labels());
        assertArrayEquals(new int[] {12}, r.source().get(1).labels());
        assertEquals(100, r.source().classes().size());
    }

    @Test
    void truncatedBatchesFailNamingTheFile() throws Exception {
        byte[] b = batch(2, 1, 0);
        Path f = dir.resolve("data_batch_1.bin");
        Files.write(f, Arrays.copyOf(b, b.length - 100));
        CifarBinary.Layout l = CifarBinary.find(dir);
        ConvkitException e = assertThrows(ConvkitException.class,
                () -> CifarBinary.read(l, l.train(), CifarBinary.classes(l), "train", new ArrayList<>()));
        assertTrue(e.getMessage().contains(f.toString()) && e.getMessage().contains("3073-byte records"), e.getMessage());
    }

    @Test
    void labelsOutsideTheClassesAreSkipped() throws Exception {
        Files.write(dir.resolve("test_batch.bin"), batch(3, 1, 9)); // labels 9, 10, 11
        CifarBinary.Layout l = CifarBinary.find(dir);
        RawSplit r = CifarBinary.read(l, l.test(), CifarBinary.classes(l), "test", new ArrayList<>());
        assertEquals(1, r.source().size());
        assertEquals(2, r.skipped().size());
        assertTrue(r.skipped().get(0).reason().contains("label 10"), r.skipped().get(0).reason());
    }
}
