package org.convkit.data.shard;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.imageio.ImageIO;
import org.convkit.core.ConvkitException;
import org.convkit.data.Dataset;
import org.convkit.data.load.Datasets;
import org.convkit.data.OpenOptions;
import org.convkit.data.Sample;
import org.convkit.data.Skipped;
import org.convkit.data.TestImages;
import org.convkit.data.source.PixelArraySource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ShardTest {
    @TempDir
    Path dir;

    /** 3 classes x 12 JPEG/PNG files of different sizes, plus a text file named .jpg. */
    private Dataset folder() {
        Path r = dir.resolve("src");
        for (int c = 0; c < 3; c++) {
            for (int i = 0; i < 12; i++) {
                String ext = i % 2 == 0 ? ".jpg" : ".png";
                TestImages.write(r.resolve("c" + c + "/" + i + ext), 10 + i, 12, c * 100L + i);
            }
        }
        TestImages.bytes(r.resolve("c1/fake.jpg"), "<html>not an image</html>".getBytes());
        return Datasets.open(r.toString(), OpenOptions.defaults().withValidSplit(0));
    }

    private Path pack(Dataset ds, String name, long shardBytes, int threads) {
        return Packer.pack(ds, "test", dir.resolve(name), shardBytes, threads, false).dir();
    }

    @Test
    void recordsHoldTheFileBytesAsTheyCame() throws Exception {
        Dataset ds = folder();
        Packer.Result r = Packer.pack(ds, "test", dir.resolve("out"), 4096, 2, false);
        Manifest m = r.manifest();
        assertEquals(36, m.splits().get("train").count());
        assertTrue(m.splits().get("train").shards().size() > 1, "4 KB shards roll over");
        assertArrayEquals(new int[] {12, 12, 12}, m.splits().get("train").classCounts());
        assertEquals(1, m.skipped().size());
        assertTrue(m.skipped().get(0).reason().startsWith("not an image"), m.skipped().get(0).reason());
        assertEquals(3, m.channels());
        assertEquals(null, m.width(), "sizes differ");
        assertTrue(r.ratio() > 1.0 && r.ratio() < 1.5, "encoded bytes as they came: about the source size, was " + r.ratio());
        java.util.Map<String, Sample> byId = new java.util.HashMap<>();
        for (int i = 0; i < ds.train().size(); i++) {
            byId.put(ds.train().get(i).id(), ds.train().get(i));
        }
        try (ShardSource s = ShardSource.open(r.dir(), "train")) {
            assertEquals(36, s.size());
            for (int i = 0; i < s.size(); i++) {
                Sample got = s.get(i);
                Sample want = byId.get(got.id());
                assertEquals(want.id(), got.id());
                assertArrayEquals(want.labels(), got.labels());
                assertArrayEquals(want.encoded(), got.encoded(), "record " + i);
                assertArrayEquals(want.labels(), s.labels(i));
            }
            assertTrue(s.location(5).matches("train-\\d{5}\\.shard@\\d+"), s.location(5));
        }
        ShardVerifier.Report v = ShardVerifier.verify(r.dir(), n -> { });
        assertTrue(v.ok(), v.problems().toString());
        assertEquals(36, v.records());
    }

    @Test
    void shapesSeenInPartsMergeToWhatOnePassSees() {
        Packer.Shape a = new Packer.Shape(null, null, null);
        a.see(3, 32, 32);
        Packer.Shape b = new Packer.Shape(null, null, null);
        b.see(3, 32, 32);
        a.merge(b);
        assertEquals(3, a.channels());
        assertEquals(32, a.width());
        Packer.Shape empty = new Packer.Shape(null, null, null);
        a.merge(empty); // a part that packed nothing changes nothing
        assertEquals(32, a.height());
        Packer.Shape gray = new Packer.Shape(null, null, null);
        gray.see(1, 32, 32);
        a.merge(gray);
        assertEquals(null, a.channels());
        assertEquals(32, a.width());
        Packer.Shape big = new Packer.Shape(null, null, null);
        big.see(1, 64, 32);
        a.merge(big);
        assertEquals(null, a.width());
        assertEquals(null, a.height());
    }

    @Test
    void theSameShardsWhateverTheThreadCount() throws Exception {
        Dataset ds = folder();
        Path a = pack(ds, "one", 4096, 1);
        Path b = pack(ds, "three", 4096, 3);
        List<Path> fa = list(a);
        assertEquals(fa.stream().map(p -> p.getFileName().toString()).toList(), list(b).stream().map(p -> p.getFileName().toString()).toList());
        for (Path f : fa) {
            if (f.toString().endsWith(".shard")) {
                assertArrayEquals(Files.readAllBytes(f), Files.readAllBytes(b.resolve(f.getFileName())), f.toString());
            }
        }
    }

    @Test
    void rawPixelsArePackedAsLosslessPng() throws Exception {
        int n = 5;
        byte[] gray = new byte[n * 4 * 3];
        byte[] rgb = new byte[n * 4 * 3 * 3];
        for (int i = 0; i < gray.length; i++) {
            gray[i] = (byte) (i * 37);
        }
        for (int i = 0; i < rgb.length; i++) {
            rgb[i] = (byte) (i * 11 + 3);
        }
        for (int channels : new int[] {1, 3}) {
            byte[] px = channels == 1 ? gray : rgb;
            PixelArraySource src = new PixelArraySource(px, n, 4, 3, channels, new int[] {0, 1, 0, 1, 1}, 1, List.of("a", "b"), "train", "raw");
            Dataset ds = new Dataset("raw", List.of("a", "b"), src, null, null, channels, 4, 3, 1, px.length, List.of(), List.of());
            Path out = pack(ds, "raw" + channels, 1 << 20, 2);
            Manifest m = Manifest.read(out);
            assertEquals(channels, m.channels());
            assertEquals(4, m.width());
            try (ShardSource s = ShardSource.open(out, "train")) {
                for (int i = 0; i < n; i++) {
                    BufferedImage img = ImageIO.read(new ByteArrayInputStream(s.get(i).encoded()));
                    byte[] want = src.get(i).pixels().data();
                    for (int y = 0; y < 3; y++) {
                        for (int x = 0; x < 4; x++) {
                            int rgbv = img.getRGB(x, y);
                            for (int c = 0; c < channels; c++) {
                                int got = channels == 1 ? img.getRaster().getSample(x, y, 0) : (rgbv >> (16 - 8 * c)) & 0xff;
                                assertEquals(want[(y * 4 + x) * channels + c] & 0xff, got, "image " + i + " x" + x + " y" + y + " c" + c);
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void aDamagedRecordIsFoundByVerifyAndSkippedByReaders() throws Exception {
        Path out = pack(folder(), "bad", 1 << 20, 2);
        Manifest m = Manifest.read(out);
        Path shard = out.resolve(m.splits().get("train").shards().get(0).file());
        ShardIndex idx = ShardIndex.read(shard);
        long off = idx.offsets()[7];
        try (RandomAccessFile f = new RandomAccessFile(shard.toFile(), "rw")) {
            f.seek(off + 40);
            int b = f.read();
            f.seek(off + 40);
            f.write(b ^ 0xff);
        }
        ShardVerifier.Report v = ShardVerifier.verify(out, n -> { });
        assertEquals(1, v.problems().size(), v.problems().toString());
        ShardVerifier.Problem p = v.problems().get(0);
        assertEquals(shard.getFileName().toString(), p.shard());
        assertEquals(off, p.offset());
        assertEquals(7, p.record());
        assertTrue(p.reason().contains("CRC"), p.reason());
        try (ShardSource s = ShardSource.open(out, "train")) {
            IOException e = assertThrows(IOException.class, () -> s.get(7));
            assertTrue(e.getMessage().contains("@" + off) && e.getMessage().contains("CRC"), e.getMessage());
            List<Skipped> skipped = new ArrayList<>();
            int count = 0;
            try (ShardStream st = ShardStream.evaluation(s, skipped::add)) {
                while (st.hasNext()) {
                    assertNotEquals(7, st.next().index());
                    count++;
                }
            }
            assertEquals(35, count);
            assertEquals(1, skipped.size());
            assertTrue(skipped.get(0).file().endsWith("@" + off), skipped.get(0).file());
        }
    }

    @Test
    void aTruncatedShardIsReported() throws Exception {
        Path out = pack(folder(), "cut", 1 << 20, 1);
        Path shard = out.resolve(Manifest.read(out).splits().get("train").shards().get(0).file());
        byte[] all = Files.readAllBytes(shard);
        Files.write(shard, Arrays.copyOf(all, all.length - 10));
        ShardVerifier.Report v = ShardVerifier.verify(out, n -> { });
        assertFalse(v.ok());
        assertTrue(v.problems().get(0).toString().contains(shard.getFileName().toString()), v.problems().toString());
        ConvkitException e = assertThrows(ConvkitException.class, () -> ShardSource.open(out, "train"));
        assertTrue(e.getMessage().contains("data verify"), e.getMessage());
    }

    @Test
    void trainingStreamIsASeededPermutationEvaluationStreamIsInOrder() throws Exception {
        Path out = pack(folder(), "stream", 2048, 2);
        try (ShardSource s = ShardSource.open(out, "train")) {
            int[] a = order(ShardStream.training(s, 42, 0, 8, x -> { }));
            int[] b = order(ShardStream.training(s, 42, 0, 8, x -> { }));
            int[] c = order(ShardStream.training(s, 42, 1, 8, x -> { }));
            assertArrayEquals(a, b, "same seed and epoch, same order");
            assertFalse(Arrays.equals(a, c), "another epoch, another order");
            int[] sorted = a.clone();
            Arrays.sort(sorted);
            int[] all = new int[s.size()];
            Arrays.setAll(all, i -> i);
            assertArrayEquals(all, sorted, "every record exactly once");
            assertFalse(Arrays.equals(all, a), "shuffled");
            assertArrayEquals(all, order(ShardStream.evaluation(s, x -> { })));
            try (ShardStream st = ShardStream.evaluation(s, x -> { })) {
                ShardStream.Item first = st.next();
                assertArrayEquals(s.get(0).encoded(), first.sample().encoded());
            }
        }
    }

    @Test
    void anExistingOutputIsNotReplacedUnlessAsked() throws Exception {
        Dataset ds = folder();
        Path out = pack(ds, "twice", 1 << 20, 1);
        ConvkitException e = assertThrows(ConvkitException.class, () -> pack(ds, "twice", 1 << 20, 1));
        assertTrue(e.getMessage().contains("--force"), e.getMessage());
        Packer.pack(ds, "again", out, 1 << 20, 1, true);
        assertTrue(ShardVerifier.verify(out, n -> { }).ok());
        try (var s = Files.list(dir)) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().startsWith(".twice")), "no temp folders left");
        }
    }

    @Test
    void shardFoldersOpenAsDatasetsWithAValidationSplit() {
        Path out = pack(folder(), "ds", 1 << 20, 1);
        Dataset ds = Datasets.open(out.toString(), OpenOptions.defaults().withValidSplit(0.25).withSeed(1));
        assertEquals(27, ds.train().size());
        assertEquals(9, ds.valid().size());
        assertEquals(List.of("c0", "c1", "c2"), ds.classes());
        ds.close();
    }

    private static int[] order(ShardStream st) {
        try (st) {
            List<Integer> out = new ArrayList<>();
            while (st.hasNext()) {
                out.add(st.next().index());
            }
            return out.stream().mapToInt(Integer::intValue).toArray();
        }
    }

    private static List<Path> list(Path d) throws IOException {
        try (var s = Files.list(d)) {
            return s.sorted().toList();
        }
    }
}
