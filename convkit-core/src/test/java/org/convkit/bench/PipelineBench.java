package org.convkit.bench;

import java.nio.file.Path;
import org.convkit.data.Batch;
import org.convkit.data.ImageSource;
import org.convkit.data.load.Loader;
import org.convkit.data.image.Pipeline;
import org.convkit.data.image.PipelineParser;
import org.convkit.data.shard.Manifest;
import org.convkit.data.shard.ShardSource;

/**
 * Loader throughput (decode + augment + pack into float batches) with N workers.
 * Usage: PipelineBench DIR PIPELINE WORKERS BATCH EPOCHS. Prints img/s per epoch, one line each.
 * DIR is a folder of JPEGs (label = parent folder) or a shard folder made by `convkit data pack`
 * (its train split), so the two storage forms of the same images can be compared.
 */
public final class PipelineBench {
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        ImageSource src = Manifest.present(dir) ? ShardSource.open(dir, "train") : new FileSource(dir);
        Pipeline pipeline = PipelineParser.parse(args[1], "pipeline");
        int workers = Integer.parseInt(args[2]);
        int batch = Integer.parseInt(args[3]);
        int epochs = Integer.parseInt(args[4]);
        Loader.Options o = Loader.Options.train(batch, 1).withWorkers(workers).withPrefetch(2 * workers).withDropLast(false);
        try (Loader loader = new Loader(src, pipeline, o)) {
            for (int e = 0; e < epochs; e++) {
                long t = System.nanoTime();
                int n = 0;
                try (Loader.Epoch it = loader.epoch(e)) {
                    while (it.hasNext()) {
                        Batch b = it.next();
                        n += b.size();
                        loader.recycle(b); // as the trainer does once the batch is on the device
                    }
                }
                double s = (System.nanoTime() - t) / 1e9;
                System.out.printf("java epoch %d: %d images %.2f s %.1f img/s%n", e, n, s, n / s);
            }
        }
    }
}
