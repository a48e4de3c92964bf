package org.convkit.data.load;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import javax.imageio.ImageIO;
import org.convkit.core.ConvkitException;
import org.convkit.data.Batch;
import org.convkit.data.Image;
import org.convkit.data.ImageSource;
import org.convkit.data.Sample;
import org.convkit.data.Skipped;
import org.convkit.data.image.Pipeline;
import org.convkit.data.image.PipelineParser;
import org.junit.jupiter.api.Test;

class LoaderTest {

    /** n samples: encoded PNGs (every third), raw pixels otherwise; `bad` indices hold garbage. */
    static final class FakeSource implements ImageSource {
        final int n;
        final Set<Integer> bad;
        final int heads;
        final AtomicInteger gets = new AtomicInteger();
        final AtomicInteger maxIndexRequested = new AtomicInteger(-1);

        FakeSource(int n, Set<Integer> bad, int heads) {
            this.n = n;
            this.bad = bad;
            this.heads = heads;
        }

        @Override
        public int size() {
            return n;
        }

        @Override
        public Sample get(int index) throws IOException {
            gets.incrementAndGet();
            maxIndexRequested.accumulateAndGet(index, Math::max);
            int[] labels = new int[heads];
            for (int k = 0; k < heads; k++) {
                labels[k] = (index + k) % 10;
            }
            String id = "s" + index;
            if (bad.contains(index)) {
                return new Sample(id, "this is not an image".getBytes(), null, labels);
            }
            int w = 36 + index % 5;
            int h = 34 + index % 3;
            byte[] px = new byte[w * h * 3];
            new Random(index).nextBytes(px);
            Image img = new Image(w, h, 3, px);
            if (index % 3 == 0) {
                return new Sample(id, png(img), null, labels);
            }
            return new Sample(id, null, img, labels);
        }

        @Override
        public List<String> classes() {
            return List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");
        }

        @Override
        public String describe() {
            return "fake source, " + n + " samples";
        }
    }

    static byte[] png(Image img) throws IOException {
        BufferedImage b = new BufferedImage(img.width(), img.height(), BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < img.height(); y++) {
            for (int x = 0; x < img.width(); x++) {
                b.setRGB(x, y, img.get(x, y, 0) << 16 | img.get(x, y, 1) << 8 | img.get(x, y, 2));
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(b, "png", out);
        return out.toByteArray();
    }

    static final Pipeline AUGMENT =
            PipelineParser.parse("randomresizedcrop=32:scale=0.3/1,hflip,colorjitter=0.3/0.3/0.3/0.05,normalize=cifar10", "test");
    static final Pipeline EVAL = PipelineParser.parse("resize=32,centercrop=32,normalize=cifar10", "test");

    private static List<Batch> epoch(Loader loader, int e) {
        List<Batch> out = new ArrayList<>();
        try (Loader.Epoch it = loader.epoch(e)) {
            while (it.hasNext()) {
                out.add(it.next());
            }
        }
        return out;
    }

    @Test
    void trainAndEvalOptionsHoldTheirDefaults() {
        int w = Math.max(1, java.lang.Runtime.getRuntime().availableProcessors());
        int ahead = Math.max(2, 2 * w);
        assertEquals(new Loader.Options(64, w, ahead, true, true, 7, 3, "train", 0), Loader.Options.train(64, 7));
        assertEquals(new Loader.Options(32, w, ahead, false, false, 0, 3, "valid", 0), Loader.Options.eval(32));
    }

    @Test
    void optionsWithersChangeTheirOwnFieldOnly() {
        Loader.Options o = Loader.Options.train(16, 42).withWorkers(3).withPrefetch(5).withShuffle(false)
                .withDropLast(false).withChannels(1).withSplit("valid").withKeepBytes(1 << 20);
        assertEquals(new Loader.Options(16, 3, 5, false, false, 42, 1, "valid", 1 << 20), o);
        assertEquals(o, o.toBuilder().build());
        assertThrows(ConvkitException.class, () -> o.withPrefetch(0));
    }

    @Test
    void batchesAreBitIdenticalForAnyWorkerCount() {
        FakeSource src = new FakeSource(70, Set.of(5, 33), 1);
        Loader.Options base = Loader.Options.train(16, 42);
        List<List<Batch>> runs = new ArrayList<>();
        for (int workers : new int[] {0, 1, 4}) {
            try (Loader l = new Loader(src, AUGMENT, base.withWorkers(workers).withPrefetch(3))) {
                List<Batch> all = epoch(l, 0);
                all.addAll(epoch(l, 1));
                runs.add(all);
            }
        }
        for (int r = 1; r < runs.size(); r++) {
            assertEquals(runs.get(0).size(), runs.get(r).size());
            for (int b = 0; b < runs.get(0).size(); b++) {
                Batch x = runs.get(0).get(b);
                Batch y = runs.get(r).get(b);
                assertArrayEquals(x.data(), y.data(), "batch " + b + " pixels");
                assertArrayEquals(x.labels(), y.labels());
                assertArrayEquals(x.indices(), y.indices());
            }
        }
        // two epochs differ (reshuffled, re-augmented); drop_last: 70 / 16 -> 4 batches per epoch
        assertEquals(8, runs.get(0).size());
        assertFalse(Arrays.equals(runs.get(0).get(0).indices(), runs.get(0).get(4).indices()));
        assertNotEquals(Arrays.toString(runs.get(0).get(0).data()), Arrays.toString(runs.get(0).get(4).data()));
        try (Loader l = new Loader(src, AUGMENT, Loader.Options.train(16, 43).withWorkers(2))) {
            assertFalse(Arrays.equals(runs.get(0).get(0).indices(), epoch(l, 0).get(0).indices()), "seed changes the order");
        }
    }

    /**
     * Keeping samples after the fixed steps (resize, centercrop) changes no pixel of any epoch,
     * and later epochs read nothing from the source; a budget that holds only some keeps those.
     */
    @Test
    void keptSamplesGiveTheSameBatchesWithoutReadingAgain() {
        Pipeline mixed = PipelineParser.parse("resize=32,centercrop=32,randomcrop=32:padding=4,hflip,normalize=cifar10", "test");
        assertEquals(2, mixed.fixedSteps());
        assertEquals(0, AUGMENT.fixedSteps());
        assertEquals(2, EVAL.fixedSteps());
        Loader.Options base = Loader.Options.train(16, 42).withWorkers(2).withDropLast(false); // all read in epoch 0
        FakeSource plain = new FakeSource(70, Set.of(5, 33), 1);
        FakeSource keeping = new FakeSource(70, Set.of(5, 33), 1);
        try (Loader a = new Loader(plain, mixed, base); Loader b = new Loader(keeping, mixed, base.withKeepBytes(1 << 20))) {
            for (int e = 0; e < 3; e++) {
                int readBefore = keeping.gets.get();
                List<Batch> x = epoch(a, e);
                List<Batch> y = epoch(b, e);
                assertEquals(x.size(), y.size());
                for (int i = 0; i < x.size(); i++) {
                    assertArrayEquals(x.get(i).data(), y.get(i).data(), "epoch " + e + " batch " + i);
                    assertArrayEquals(x.get(i).labels(), y.get(i).labels());
                    assertArrayEquals(x.get(i).ids(), y.get(i).ids());
                }
                if (e > 0) {
                    // only the two unreadable samples (never kept) are read again
                    assertTrue(keeping.gets.get() - readBefore <= 2, "epoch " + e + " read " + (keeping.gets.get() - readBefore));
                }
            }
            assertEquals(0, a.keptBytes());
            assertTrue(b.keptBytes() > 68 * 32 * 32 * 3, "kept " + b.keptBytes() + " bytes");
            assertEquals(2, b.skippedCount());
        }
        FakeSource partly = new FakeSource(70, Set.of(), 1);
        long budget = 20 * (32 * 32 * 3 + 200);
        try (Loader l = new Loader(partly, EVAL, Loader.Options.eval(16).withWorkers(2).withKeepBytes(budget))) {
            epoch(l, 0);
            int before = partly.gets.get();
            epoch(l, 1);
            int reread = partly.gets.get() - before;
            assertTrue(l.keptBytes() <= budget, "kept " + l.keptBytes() + " of " + budget);
            assertTrue(reread >= 70 - 20 && reread < 70, "re-read " + reread + " of 70 with a budget for about 20");
        }
        // nothing fixed to save on a source that holds pixels: only the 10 encoded samples (every third) are kept
        FakeSource mostlyPixels = new FakeSource(30, Set.of(), 1);
        try (Loader l = new Loader(mostlyPixels, PipelineParser.parse("hflip", "test"), Loader.Options.eval(1).withKeepBytes(1 << 20))) {
            epoch(l, 0);
            int before = mostlyPixels.gets.get();
            epoch(l, 1);
            assertEquals(20, mostlyPixels.gets.get() - before);
        }
    }

    @Test
    void evaluationReadsEverySampleOnceInOrder() {
        FakeSource src = new FakeSource(53, Set.of(), 3);
        try (Loader l = new Loader(src, EVAL, Loader.Options.eval(8).withWorkers(3))) {
            List<Batch> batches = epoch(l, 0);
            assertEquals(7, batches.size(), "53 / 8 rounded up: the last partial batch is kept");
            List<Integer> seen = new ArrayList<>();
            for (Batch b : batches) {
                for (int i : b.indices()) {
                    seen.add(i);
                }
                assertEquals(3, b.heads());
                assertEquals(b.size() * 3, b.labels().length, "multi-head labels are N*K");
                assertEquals(3 * 32 * 32 * b.size(), b.data().length);
                for (int k = 0; k < b.size(); k++) {
                    assertEquals((b.indices()[k] + 2) % 10, b.labels()[k * 3 + 2]);
                    assertEquals("s" + b.indices()[k], b.ids()[k]);
                }
            }
            List<Integer> expected = new ArrayList<>();
            for (int i = 0; i < 53; i++) {
                expected.add(i);
            }
            assertEquals(expected, seen);
            assertEquals(53, src.gets.get(), "each sample read exactly once");
        }
    }

    @Test
    void badSamplesAreSkippedAndCounted() {
        FakeSource src = new FakeSource(40, Set.of(3, 17, 18), 1);
        try (Loader l = new Loader(src, EVAL, Loader.Options.eval(10).withWorkers(2).withSplit("valid"))) {
            int delivered = epoch(l, 0).stream().mapToInt(Batch::size).sum();
            assertEquals(37, delivered);
            List<Skipped> skipped = l.skipped();
            assertEquals(3, l.skippedCount());
            assertEquals(List.of(src.location(3), src.location(17), src.location(18)), skipped.stream().map(Skipped::file).toList());
            assertEquals("s17", skipped.get(1).id());
            assertEquals("valid", skipped.get(1).split());
            assertTrue(skipped.get(0).reason().contains("not"), skipped.get(0).reason());
            epoch(l, 1);
            assertEquals(3, l.skippedCount(), "a bad sample is listed once, not once per epoch");
        }
    }

    @Test
    void earlyCloseStopsEveryWorker() throws Exception {
        FakeSource src = new FakeSource(400, Set.of(), 1);
        Loader l = new Loader(src, AUGMENT, Loader.Options.train(8, 1).withWorkers(3).withPrefetch(4));
        try (Loader.Epoch it = l.epoch(0)) {
            assertTrue(it.hasNext());
            it.next();
        }
        l.close();
        Thread.sleep(50);
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            assertFalse(t.getName().startsWith("convkit-loader-") && t.isAlive(), "leaked " + t.getName());
        }
        assertTrue(src.gets.get() < 400, "closing stopped the work: " + src.gets.get() + " samples read");
        assertThrows(IllegalStateException.class, () -> l.epoch(1));
    }

    @Test
    void prefetchBoundsTheSamplesReadAhead() throws Exception {
        FakeSource src = new FakeSource(1000, Set.of(), 1);
        int batch = 10;
        int prefetch = 3;
        try (Loader l = new Loader(src, EVAL, Loader.Options.eval(batch).withWorkers(4).withPrefetch(prefetch));
                Loader.Epoch it = l.epoch(0)) {
            int consumed = 0;
            for (int b = 0; b < 8; b++) {
                consumed += it.next().size();
                Thread.sleep(30); // a slow consumer: the workers must wait, not run ahead
                int ahead = src.maxIndexRequested.get() + 1 - consumed;
                assertTrue(ahead <= prefetch * batch, "read " + ahead + " samples ahead with prefetch " + prefetch);
            }
            assertTrue(it.dataWaitShare() >= 0 && it.dataWaitShare() < 0.5, "the consumer was the slow side: " + it.dataWaitShare());
            assertTrue(it.elapsedSeconds() >= 0.2);
        }
    }

    @Test
    void workerExceptionsReachTheConsumerAndCloseCleanly() {
        FakeSource src = new FakeSource(20, Set.of(), 1);
        Pipeline noResize = PipelineParser.parse("hflip", "test"); // sizes differ between samples
        try (Loader l = new Loader(src, noResize, Loader.Options.eval(4).withWorkers(2))) {
            ConvkitException e = assertThrows(ConvkitException.class, () -> epoch(l, 0));
            assertTrue(e.getMessage().contains("same size"), e.getMessage());
        }
    }

    @Test
    void recycledBuffersAreReusedAndResultsUnchanged() {
        FakeSource src = new FakeSource(64, Set.of(), 1);
        List<float[]> copies = new ArrayList<>();
        Set<float[]> buffers = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        try (Loader l = new Loader(src, EVAL, Loader.Options.eval(8).withWorkers(2).withPrefetch(2))) {
            try (Loader.Epoch it = l.epoch(0)) {
                while (it.hasNext()) {
                    Batch b = it.next();
                    copies.add(b.data().clone());
                    buffers.add(b.data());
                    l.recycle(b);
                }
            }
            assertTrue(buffers.size() < 8, "buffers were reused: " + buffers.size() + " distinct for 8 batches");
            List<Batch> fresh = epoch(l, 0);
            for (int i = 0; i < fresh.size(); i++) {
                assertArrayEquals(copies.get(i), fresh.get(i).data());
            }
        }
    }
}
