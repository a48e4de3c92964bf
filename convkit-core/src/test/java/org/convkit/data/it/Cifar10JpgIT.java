package org.convkit.data.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.convkit.data.Dataset;
import org.convkit.data.load.Datasets;
import org.convkit.data.OpenOptions;
import org.convkit.data.inspect.InspectReport;
import org.convkit.data.inspect.Inspector;
import org.convkit.data.shard.Manifest;
import org.convkit.data.shard.Packer;
import org.convkit.data.shard.ShardSource;
import org.convkit.data.shard.ShardStream;
import org.convkit.data.shard.ShardVerifier;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CIFAR-10 JPEGs of ../shared/datasets as an ImageFolder, packed into shards and verified. */
@Tag("integration")
class Cifar10JpgIT {
    static final Path TAR = org.convkit.SharedData.cifar10Jpg();
    static final List<String> CLASSES =
            List.of("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck");

    @TempDir
    Path tmp;

    @Test
    void opensPacksVerifiesAndInspects() throws Exception {
        org.convkit.Needs.optional(Files.isRegularFile(TAR), TAR + " (the workspace's shared data; not installed by CI)");
        Process tar = new ProcessBuilder("tar", "xzf", TAR.toString(), "-C", tmp.toString()).inheritIO().start();
        assertEquals(0, tar.waitFor());
        Path root = Files.isDirectory(tmp.resolve("train")) ? tmp : Files.list(tmp).filter(Files::isDirectory).findFirst().orElseThrow();
        Dataset ds = Datasets.open(root.toString(), OpenOptions.defaults().withValidSplit(0));
        assertEquals(CLASSES, ds.classes());
        assertEquals(50000, ds.train().size());
        assertEquals(10000, ds.test().size());
        assertEquals(List.of(), ds.skipped());

        long t0 = System.nanoTime();
        Packer.Result r = Packer.pack(ds, root.toString(), tmp.resolve("shards"), 8L << 20, Runtime.getRuntime().availableProcessors(), false);
        double s = (System.nanoTime() - t0) / 1e9;
        Manifest m = r.manifest();
        System.out.printf("CIFAR-10 JPEG: packed 60000 files in %.1f s; shards %.1f MB / source %.1f MB = ratio %.3f, %d shard files%n",
                s, m.shardBytes() / 1e6, m.sourceBytes() / 1e6, r.ratio(),
                m.splits().values().stream().mapToInt(x -> x.shards().size()).sum());
        assertTrue(r.ratio() > 1.0 && r.ratio() < 1.2, "records add ids, labels and CRCs only: " + r.ratio());
        assertEquals(3, m.channels());
        assertEquals(32, m.width());
        assertArrayEquals(new int[] {5000, 5000, 5000, 5000, 5000, 5000, 5000, 5000, 5000, 5000}, m.splits().get("train").classCounts());

        ShardVerifier.Report v = ShardVerifier.verify(r.dir(), n -> { });
        assertTrue(v.ok(), v.problems().toString());
        assertEquals(60000, v.records());
        try (ShardSource test = ShardSource.open(r.dir(), "test")) {
            for (int i : new int[] {0, 1234, 9999}) {
                assertArrayEquals(ds.test().get(i).encoded(), test.get(i).encoded(), "record " + i + " = the JPEG file");
            }
            int n = 0;
            try (ShardStream st = ShardStream.evaluation(test, x -> { throw new AssertionError(x.toString()); })) {
                while (st.hasNext()) {
                    assertEquals(n++, st.next().index());
                }
            }
            assertEquals(10000, n, "evaluation reads every record once");
        }

        InspectReport rep = Inspector.inspect(Datasets.open(r.dir().toString(), OpenOptions.defaults().withValidSplit(0)), 2);
        assertEquals(0, rep.splits().get(0).unreadable().size());
        assertEquals(50000, rep.splits().get(0).sizes().get("32x32"));
        System.out.println("CIFAR-10 JPEG duplicates: " + rep.duplicateCount() + ", across train/test: " + rep.crossSplitDuplicates().size());
    }
}
