package org.convkit.data.source;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.convkit.core.ConvkitException;
import org.convkit.data.Sample;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxTest {
    @TempDir
    Path dir;

    /** An IDX file with the given dimensions and values, as the format describes it. */
    static byte[] idx(int[] dims, byte[] values) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        DataOutputStream d = new DataOutputStream(b);
        d.write(new byte[] {0, 0, 8, (byte) dims.length});
        for (int x : dims) {
            d.writeInt(x);
        }
        d.write(values);
        return b.toByteArray();
    }

    static void write(Path f, byte[] data, boolean gz) throws IOException {
        try (OutputStream o = gz ? new GZIPOutputStream(Files.newOutputStream(f)) : Files.newOutputStream(f)) {
            o.write(data);
        }
    }

    private static byte[] pixels(int n, int rows, int cols) {
        byte[] p = new byte[n * rows * cols];
        for (int i = 0; i < p.length; i++) {
            p[i] = (byte) (i * 7);
        }
        return p;
    }

    @Test
    void readsGzippedAndPlainPairs() throws Exception {
        write(dir.resolve("train-images-idx3-ubyte.gz"), idx(new int[] {3, 2, 4}, pixels(3, 2, 4)), true);
        write(dir.resolve("train-labels-idx1-ubyte.gz"), idx(new int[] {3}, new byte[] {5, 0, 9}), true);
        write(dir.resolve("t10k-images-idx3-ubyte"), idx(new int[] {1, 2, 4}, pixels(1, 2, 4)), false);
        write(dir.resolve("t10k-labels-idx1-ubyte"), idx(new int[] {1}, new byte[] {2}), false);
        var found = Idx.find(dir);
        assertEquals(List.of("test", "train"), List.copyOf(found.keySet()));
        RawSplit train = Idx.read(found.get("train"), null, "train");
        assertEquals(3, train.source().size());
        Sample s = train.source().get(1);
        assertEquals("train-00001", s.id());
        assertArrayEquals(new int[] {0}, s.labels());
        assertEquals(4, s.pixels().width());
        assertEquals(2, s.pixels().height());
        assertArrayEquals(Arrays.copyOfRange(pixels(3, 2, 4), 8, 16), s.pixels().data());
        assertEquals(10, train.source().classes().size(), "classes 0..max label");
        assertEquals(1, Idx.read(found.get("test"), null, "test").source().size());
    }

    @Test
    void labelsOutsideTheClassesAreSkippedAndListed() throws Exception {
        write(dir.resolve("train-images-idx3-ubyte"), idx(new int[] {3, 1, 1}, new byte[] {1, 2, 3}), false);
        write(dir.resolve("train-labels-idx1-ubyte"), idx(new int[] {3}, new byte[] {1, 12, 0}), false);
        RawSplit r = Idx.read(Idx.find(dir).get("train"), List.of("a", "b"), "train");
        assertEquals(2, r.source().size());
        assertEquals(1, r.skipped().size());
        assertTrue(r.skipped().get(0).reason().contains("label 12 outside"), r.skipped().get(0).reason());
        assertEquals("train-00002", r.source().get(1).id(), "ids stay those of the file");
    }

    private ConvkitException fails(byte[] images, byte[] labels, boolean gz) throws Exception {
        Path d = Files.createTempDirectory(dir, "case");
        write(d.resolve("train-images-idx3-ubyte" + (gz ? ".gz" : "")), images, gz);
        write(d.resolve("train-labels-idx1-ubyte"), labels, false);
        return assertThrows(ConvkitException.class, () -> Idx.read(Idx.find(d).get("train"), null, "train"));
    }

    @Test
    void malformedHeadersAndWrongSizesNameTheFile() throws Exception {
        byte[] good = idx(new int[] {2, 2, 2}, pixels(2, 2, 2));
        byte[] labels = idx(new int[] {2}, new byte[] {0, 1});
        byte[] badMagic = good.clone();
        badMagic[0] = 1;
        assertTrue(fails(badMagic, labels, false).getMessage().contains("not an IDX file"));
        byte[] badType = good.clone();
        badType[2] = 0x0d;
        assertTrue(fails(badType, labels, false).getMessage().contains("type 0x0d"));
        ConvkitException swapped = fails(labels, labels, false);
        assertTrue(swapped.getMessage().contains("train-images-idx3-ubyte") && swapped.getMessage().contains("1 dimension"), swapped.getMessage());
        ConvkitException truncated = fails(Arrays.copyOf(good, good.length - 3), labels, false);
        assertTrue(truncated.getMessage().contains("truncated") && truncated.getMessage().contains("2 images of 2x2"), truncated.getMessage());
        ConvkitException truncatedGz = fails(Arrays.copyOf(good, good.length - 3), labels, true);
        assertTrue(truncatedGz.getMessage().contains("train-images-idx3-ubyte.gz"), truncatedGz.getMessage());
        byte[] longer = Arrays.copyOf(good, good.length + 5);
        assertTrue(fails(longer, labels, false).getMessage().contains("more data than the header"));
        ConvkitException count = fails(good, idx(new int[] {3}, new byte[] {0, 1, 2}), false);
        assertTrue(count.getMessage().contains("2 images") && count.getMessage().contains("3 labels"), count.getMessage());
        assertTrue(fails(new byte[] {0, 0}, labels, false).getMessage().contains("too short"));
        byte[] zeroDim = idx(new int[] {2, 0, 2}, new byte[0]);
        assertTrue(fails(zeroDim, labels, false).getMessage().contains("must be positive"));
    }

    @Test
    void aCorruptGzipStreamIsReportedNotThrownRaw() throws Exception {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (GZIPOutputStream g = new GZIPOutputStream(b)) {
            g.write(idx(new int[] {2, 2, 2}, pixels(2, 2, 2)));
        }
        byte[] gz = b.toByteArray();
        byte[] cut = Arrays.copyOf(gz, gz.length / 2);
        Path d = Files.createTempDirectory(dir, "gz");
        Files.write(d.resolve("train-images-idx3-ubyte.gz"), cut);
        write(d.resolve("train-labels-idx1-ubyte"), idx(new int[] {2}, new byte[] {0, 1}), false);
        ConvkitException e = assertThrows(ConvkitException.class, () -> Idx.read(Idx.find(d).get("train"), null, "train"));
        assertTrue(e.getMessage().contains("train-images-idx3-ubyte.gz"), e.getMessage());
    }

    @Test
    void aMissingPartnerFileIsNamed() throws Exception {
        write(dir.resolve("train-images-idx3-ubyte"), idx(new int[] {1, 1, 1}, new byte[] {1}), false);
        ConvkitException e = assertThrows(ConvkitException.class, () -> Idx.find(dir));
        assertTrue(e.getMessage().contains("no matching labels"), e.getMessage());
    }
}
