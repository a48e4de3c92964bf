package org.convkit.eval;

import java.io.IOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.convkit.core.ConvkitException;
import org.convkit.core.Progress;
import org.convkit.data.Batch;
import org.convkit.data.load.Datasets;
import org.convkit.data.ImageSource;
import org.convkit.data.load.Loader;
import org.convkit.data.Skipped;
import org.convkit.data.source.FileEntry;
import org.convkit.data.source.FileSource;
import org.convkit.data.source.UnlabeledFolder;
import org.convkit.model.weights.ModelSource;

/**
 * {@code convkit predict}: a {@link Classifier} applied to one image or a folder of them. Images
 * stream through the loader in batches (decoded in parallel, memory bounded by its prefetch,
 * whatever the folder holds) and rows go to the CSV as each batch is done, in the folder's sorted
 * order. The same for every engine: the classifier only computes the scores.
 */
public final class Prediction {
    /**
     * @param batchSize images per forward pass
     * @param device cpu, cuda, cuda:N
     * @param transforms a --transforms override, or null for the checkpoint's evaluation transform
     * @param format what the CSV rows carry
     * @param topK how many classes to list for a single image
     * @param workers loader threads, or null for the loader's default
     * @param tta test-time augmentation (none: the image as it is)
     * @param submission a competition's file instead of the {@code format} CSV, or null
     */
    public record Options(
            int batchSize, String device, String transforms, PredictionWriter.Format format, int topK, Integer workers,
            Tta tta, Submission submission) {
        public Options {
            tta = tta == null ? Tta.NONE : tta;
        }

        /** Without test-time augmentation. */
        public Options(int batchSize, String device, String transforms, PredictionWriter.Format format, int topK,
                Integer workers) {
            this(batchSize, device, transforms, format, topK, workers, Tta.NONE, null);
        }

        /** The format CSV, no submission. */
        public Options(int batchSize, String device, String transforms, PredictionWriter.Format format, int topK,
                Integer workers, Tta tta) {
            this(batchSize, device, transforms, format, topK, workers, tta, null);
        }

        public static Options defaults() {
            return new Options(64, "cpu", null, PredictionWriter.Format.LABEL, 5, null);
        }

        /** The same options writing {@code s} instead of the {@code format} CSV. */
        public Options withSubmission(Submission s) {
            return new Options(batchSize, device, transforms, format, topK, workers, tta, s);
        }
    }

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
     * A model (a convkit checkpoint or imported weights, see {@link ModelSource}) on libtorch
     * ({@link TorchClassifier}).
     *
     * @param csv where the rows go, or null to write none (a single image's top-k is still returned)
     */
    public static Outcome run(ModelSource model, Path input, Writer csv, Options o) throws IOException {
        try (TorchClassifier classifier = TorchClassifier.open(model,
                new TorchClassifier.Options(o.device(), o.transforms(), o.batchSize(), o.tta()))) {
            return run(classifier, input, csv, o);
        }
    }

    /**
     * Any classifier; {@code o.device()} and {@code o.transforms()} were the opener's business.
     *
     * @param csv where the rows go, or null to write none (a single image's top-k is still returned)
     */
    public static Outcome run(Classifier classifier, Path input, Writer csv, Options o) throws IOException {
        ModelCard card = classifier.card();
        List<String> classes = card.classes();
        boolean single = isSingleFile(input);
        Path folder = single ? input : Datasets.toPredict(input);
        if (!folder.equals(input)) {
            System.err.println("predicting " + folder + " (the test folder of the dataset root " + input + ")");
        }
        ImageSource source = single ? singleFile(input) : UnlabeledFolder.open(folder);
        Loader.Options lo = Loader.Options.eval(o.batchSize()).withChannels(card.channels()).withSplit("predict");
        if (o.workers() != null) {
            lo = lo.withWorkers(o.workers());
        }
        List<List<Scored>> top = new ArrayList<>();
        List<Skipped> skipped;
        long rows;
        try (Loader loader = new Loader(source, classifier.preprocessor().pipeline(), lo);
                Loader.Epoch epoch = loader.epoch(0);
                RowWriter writer = csv == null ? null : o.submission() != null
                        ? o.submission().writer(csv, classes, card.heads(), card.blank(), fileNames(source))
                        : new PredictionWriter(csv, o.format(), classes, card.heads(), card.blank());
                Progress bar = single ? null : new Progress("predict", source.size(), "img")) {
            while (epoch.hasNext()) {
                Batch batch = epoch.next();
                float[][] scores = classifier.logits(batch.data(), batch.size());
                if (bar != null) {
                    bar.advance(batch.size());
                }
                if (writer != null) {
                    writer.add(scores, batch.ids());
                }
                if (single) {
                    top.addAll(ImagePrediction.of(batch.ids()[0], scores, 0, classes, card.blank(), o.topK()).top());
                }
                loader.recycle(batch);
            }
            skipped = loader.skipped();
            rows = writer == null ? 0 : writer.rows();
        }
        if (single && !skipped.isEmpty()) {
            throw new ConvkitException(input + ": cannot read this image (" + skipped.get(0).reason() + ")");
        }
        return new Outcome(rows, skipped, top, classes);
    }

    /** An image's file name (with extension) by its id, for submissions that name files. */
    private static java.util.function.UnaryOperator<String> fileNames(ImageSource source) {
        java.util.Map<String, String> names = new java.util.HashMap<>();
        if (source instanceof FileSource f) {
            for (FileEntry e : f.entries()) {
                String id = e.id();
                int slash = id.lastIndexOf('/');
                names.put(id, (slash >= 0 ? id.substring(0, slash + 1) : "") + e.file().getFileName());
            }
        }
        return id -> names.getOrDefault(id, id);
    }

    private static ImageSource singleFile(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        String id = dot > 0 ? name.substring(0, dot) : name;
        return new FileSource(List.of(new FileEntry(file, id, new int[0])), List.of(), "image " + file);
    }
}
