package org.convkit.eval;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;
import org.convkit.core.ConvkitException;
import org.convkit.core.Progress;
import org.convkit.core.Runtime;
import org.convkit.data.ImageSource;
import org.convkit.data.Loader;
import org.convkit.data.Skipped;
import org.convkit.data.image.Pipeline;
import org.convkit.data.source.FileEntry;
import org.convkit.data.source.FileSource;
import org.convkit.data.source.UnlabeledFolder;
import org.convkit.model.weights.Checkpoint;

/**
 * {@code convkit predict}: a checkpoint applied to one image or a folder of them. Images stream
 * through the loader in batches (memory bounded by its prefetch, whatever the folder holds) and
 * rows go to the CSV as each batch is done, in the folder's sorted order.
 */
public final class Prediction {
    /**
     * @param batchSize images per forward pass
     * @param device cpu, cuda, cuda:N
     * @param transforms a --transforms override, or null for the checkpoint's evaluation transform
     * @param format what the CSV rows carry
     * @param topK how many classes to list for a single image
     * @param workers loader threads, or null for the loader's default
     */
    public record Options(
            int batchSize, String device, String transforms, PredictionWriter.Format format, int topK, Integer workers) {
        public static Options defaults() {
            return new Options(64, "cpu", null, PredictionWriter.Format.LABEL, 5, null);
        }
    }

    /** A class and its probability. */
    public record Scored(String label, double probability) {}

    /**
     * @param rows predictions written
     * @param skipped images that could not be read, with the reason
     * @param topK for a single image: per head, the best classes, most probable first; else empty
     * @param classes the class names used
     */
    public record Outcome(long rows, List<Skipped> skipped, List<List<Scored>> topK, List<String> classes) {}

    private Prediction() {}

    /** Whether {@code input} names a single image (else a folder). */
    public static boolean isSingleFile(Path input) {
        return Files.isRegularFile(input);
    }

    /**
     * @param csv where the rows go, or null to write none (a single image's top-k is still returned)
     */
    public static Outcome run(Path checkpointOrRun, Path input, Writer csv, Options o) throws IOException {
        CheckpointRef ref = CheckpointRef.resolve(checkpointOrRun);
        Checkpoint.Manifest manifest = Checkpoint.read(ref.checkpoint());
        int heads = manifest.options().heads();
        List<String> classes = ModelInput.classes(manifest, List.of(), "checkpoint");
        int blank = ModelInput.blank(classes, heads);
        Pipeline pipeline = ModelInput.pipeline(manifest, o.transforms());
        boolean single = isSingleFile(input);
        ImageSource source = single ? singleFile(input) : UnlabeledFolder.open(input);
        Device device = Runtime.device(o.device());
        Loader.Options lo = Loader.Options.eval(o.batchSize()).withChannels(manifest.options().channels())
                .withSplit("predict");
        if (o.workers() != null) {
            lo = lo.withWorkers(o.workers());
        }
        List<List<Scored>> top = new ArrayList<>();
        List<Skipped> skipped;
        long rows = 0;
        try (NDManager m = NDManager.newBaseManager(device);
                Loader loader = new Loader(source, pipeline, lo);
                Loader.Epoch epoch = loader.epoch(0);
                PredictionWriter writer = csv == null ? null
                        : new PredictionWriter(csv, o.format(), classes, heads, blank);
                Progress bar = single ? null : new Progress("predict", source.size(), "img")) {
            Checkpoint.Loaded loaded = Checkpoint.load(ref.checkpoint(), m);
            new Evaluator(loaded.net(), device).run(() -> epoch, (batch, logits) -> {
                if (bar != null) {
                    bar.advance(batch.size());
                }
                float[][] host = HostScores.copy(logits, classes.size());
                if (writer != null) {
                    writer.add(host, batch.ids());
                }
                if (single) {
                    for (float[] head : host) {
                        top.add(topK(head, classes, o.topK()));
                    }
                }
            });
            skipped = loader.skipped();
            rows = writer == null ? 0 : writer.rows();
        }
        if (single && !skipped.isEmpty()) {
            throw new ConvkitException(input + ": cannot read this image (" + skipped.get(0).reason() + ")");
        }
        return new Outcome(rows, skipped, top, classes);
    }

    /** The k most probable classes of one image's scores. */
    static List<Scored> topK(float[] scores, List<String> classes, int k) {
        double[] p = Softmax.of(scores, 0, classes.size());
        return IntStream.range(0, p.length).boxed()
                .sorted(Comparator.comparingDouble((Integer j) -> p[j]).reversed().thenComparing(j -> j))
                .limit(Math.max(1, k))
                .map(j -> new Scored(classes.get(j), p[j]))
                .toList();
    }

    private static ImageSource singleFile(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        String id = dot > 0 ? name.substring(0, dot) : name;
        return new FileSource(List.of(new FileEntry(file, id, new int[0])), List.of(), "image " + file);
    }
}
