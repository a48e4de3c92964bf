package org.convkit.data.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.convkit.data.Dataset;
import org.convkit.data.load.Datasets;
import org.convkit.data.OpenOptions;
import org.convkit.data.Sample;
import org.convkit.data.shard.Packer;
import org.convkit.data.shard.ShardSource;
import org.convkit.data.shard.ShardVerifier;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real Fashion-MNIST (Debian's dataset-fashion-mnist) read by convkit and by torchvision. */
@Tag("integration")
class FashionMnistIT {
    static final Path DIR = Path.of("/usr/share/datasets/fashion-mnist");
    static final Path PYTHON = Path.of("/usr/bin/python3");

    @TempDir
    Path tmp;

    @Test
    void sameSizesClassesLabelsAndPixelsAsTorchvision() throws Exception {
        org.convkit.Needs.fashionMnist();
        Dataset ds = Datasets.open("fashion-mnist", OpenOptions.defaults().withValidSplit(0).withAcquire(false));
        assertEquals(60000, ds.train().size());
        assertEquals(10000, ds.test().size());
        assertEquals(10, ds.classes().size());
        assertEquals(1, ds.channels());
        assertEquals(28, ds.width());
        org.convkit.Needs.torch();
        Process p = new ProcessBuilder(PYTHON.toString(), org.convkit.TestPaths.python("fashion_mnist_reference.py").toString(), DIR.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        JsonNode ref = new ObjectMapper().readTree(out);
        assertEquals(ref.get("train").asInt(), ds.train().size());
        assertEquals(ref.get("test").asInt(), ds.test().size());
        List<String> classes = new ArrayList<>();
        ref.get("classes").forEach(c -> classes.add(c.asText()));
        assertEquals(classes, ds.classes());
        for (int i = 0; i < 50; i++) {
            assertEquals(ref.get("train_labels").get(i).asInt(), ds.train().get(i).labels()[0], "train label " + i);
            assertEquals(ref.get("test_labels").get(i).asInt(), ds.test().get(i).labels()[0], "test label " + i);
        }
        assertArrayEquals(ints(ref.get("train_0")), unsigned(ds.train().get(0)));
        assertArrayEquals(ints(ref.get("test_last")), unsigned(ds.test().get(9999)));
    }

    @Test
    void packsIntoShardsThatVerifyAndHoldTheSamePixels() throws Exception {
        org.convkit.Needs.fashionMnist();
        Dataset ds = Datasets.open(DIR.toString(), OpenOptions.defaults().withValidSplit(0));
        Packer.Result r = Packer.pack(ds, DIR.toString(), tmp.resolve("fm"), 16L << 20, Runtime.getRuntime().availableProcessors(), false);
        System.out.printf("Fashion-MNIST shards %.1f MB / source %.1f MB = ratio %.2f (PNG per image vs one gzip stream)%n",
                r.manifest().shardBytes() / 1e6, r.manifest().sourceBytes() / 1e6, r.ratio());
        assertTrue(ShardVerifier.verify(r.dir(), n -> { }).ok());
        try (ShardSource s = ShardSource.open(r.dir(), "test")) {
            assertEquals(10000, s.size());
            for (int i : new int[] {0, 4321, 9999}) {
                Sample got = s.get(i);
                Sample want = ds.test().get(i);
                assertEquals(want.id(), got.id());
                assertArrayEquals(want.labels(), got.labels());
                java.awt.image.BufferedImage img = javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(got.encoded()));
                int[] px = img.getRaster().getPixels(0, 0, 28, 28, (int[]) null);
                assertArrayEquals(unsigned(want), px, "PNG round trip of test image " + i);
            }
        }
    }

    private static int[] ints(JsonNode a) {
        int[] out = new int[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).asInt();
        }
        return out;
    }

    private static int[] unsigned(Sample s) {
        byte[] b = s.pixels().data();
        int[] out = new int[b.length];
        for (int i = 0; i < b.length; i++) {
            out[i] = b[i] & 0xff;
        }
        return out;
    }
}
