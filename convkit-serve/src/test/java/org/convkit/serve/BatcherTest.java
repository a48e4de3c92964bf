package org.convkit.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.convkit.eval.Classifier;
import org.convkit.eval.ModelCard;
import org.convkit.eval.Preprocessor;
import org.junit.jupiter.api.Test;

/**
 * When a batch waits for more images: only while images are on their way. The network is a stand-in
 * that records its passes (the subject is the batching, not the scores; ServerApiTest and
 * ConcurrentClientsIT check the scores through a real network).
 */
class BatcherTest {

    /** Records each pass's size; two classes, zero scores. */
    static final class Passes implements Classifier {
        final List<Integer> sizes = new CopyOnWriteArrayList<>();

        @Override
        public float[][] logits(float[] pixels, int n) {
            sizes.add(n);
            return new float[][] {new float[n * 2]};
        }

        @Override
        public ModelCard card() {
            throw new UnsupportedOperationException();
        }

        @Override
        public String engine() {
            return "stand-in";
        }

        @Override
        public int maxBatch() {
            return 32;
        }

        @Override
        public Preprocessor preprocessor() {
            throw new UnsupportedOperationException();
        }

        @Override
        public void close() {}
    }

    @Test
    void aLoneImageRunsAtOnceInsteadOfWaitingForImagesThatCannotCome() throws Exception {
        Passes net = new Passes();
        try (Batcher b = new Batcher(net, 32, 60_000, () -> 0, (n, nanos) -> {})) {
            long t0 = System.nanoTime();
            Batcher.Scores s = b.submit(new float[4]).get(30, TimeUnit.SECONDS);
            double waitedMs = (System.nanoTime() - t0) / 1e6;
            assertEquals(1, s.batchSize());
            // the old rule waited the full --max-wait-ms (a minute here) for a second image
            assertTrue(waitedMs < 30_000, "a lone image waited " + waitedMs + " ms");
        }
        assertEquals(List.of(1), net.sizes);
    }

    @Test
    void imagesStillBeingDecodedJoinTheBatchOfTheFirst() throws Exception {
        Passes net = new Passes();
        AtomicInteger incoming = new AtomicInteger(1);
        try (Batcher b = new Batcher(net, 32, 60_000, incoming::get, (n, nanos) -> {})) {
            CompletableFuture<Batcher.Scores> first = b.submit(new float[4]);
            Thread.sleep(300); // the second image's decoding
            assertTrue(net.sizes.isEmpty(), "the first image ran without waiting for the one on its way");
            incoming.set(0);
            CompletableFuture<Batcher.Scores> second = b.submit(new float[4]);
            assertEquals(2, first.get(30, TimeUnit.SECONDS).batchSize());
            assertEquals(2, second.get(30, TimeUnit.SECONDS).batchSize());
        }
        assertEquals(List.of(2), net.sizes);
    }

    @Test
    void aBatchWaitsNoLongerThanMaxWaitForImagesThatNeverArrive() throws Exception {
        Passes net = new Passes();
        try (Batcher b = new Batcher(net, 32, 200, () -> 1, (n, nanos) -> {})) { // a decode that fails later
            long t0 = System.nanoTime();
            Batcher.Scores s = b.submit(new float[4]).get(30, TimeUnit.SECONDS);
            double waitedMs = (System.nanoTime() - t0) / 1e6;
            assertEquals(1, s.batchSize());
            assertTrue(waitedMs >= 190, "waited only " + waitedMs + " ms although an image was on its way");
        }
    }
}
