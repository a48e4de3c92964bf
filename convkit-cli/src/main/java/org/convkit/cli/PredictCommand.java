package org.convkit.cli;

import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import org.convkit.core.AtomicFiles;
import org.convkit.data.Skipped;
import org.convkit.eval.Classifier;
import org.convkit.eval.Prediction;
import org.convkit.eval.PredictionWriter;
import org.convkit.eval.Scored;
import org.convkit.eval.Submission;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "predict", mixinStandardHelpOptions = true,
        description = {"Predict classes of one image or a folder of images with a model (a convkit checkpoint, or"
                + " --model M --weights FILE, or an exported .onnx file), on ONNX Runtime where it passed its"
                + " self-check on this machine, else libtorch (--engine; one line says which ran)."
                + " A folder goes to a "
                + "CSV (id,label as Kaggle expects; id = file name without extension), streamed in batches. "
                + "For one image the top-k classes are printed.",
            "Example: convkit predict --checkpoint runs/cifar --input test_images/ --out submission.csv",
            "         convkit predict --model resnet18 --weights resnet18-f37072fd.pth --input cat.jpg"})
final class PredictCommand implements Callable<Integer> {
    @Mixin
    InferenceArgs run;

    @Option(names = "--input", required = true, paramLabel = "FILE|DIR", description = "An image, or a folder of images (searched recursively).")
    Path input;

    @Option(names = "--out", paramLabel = "CSV",
            description = "Where to write the CSV (default for a folder: predictions.csv; for one image: none).")
    Path out;

    @Option(names = "--top-k", defaultValue = "5", paramLabel = "K", description = "Classes printed for one image (default: ${DEFAULT-VALUE}).")
    int topK;

    @Option(names = "--format", defaultValue = "label", paramLabel = "F",
            description = "label: id,label; probs: id,label,prob + one probability per class; logits: id,label + raw scores (default: ${DEFAULT-VALUE}).")
    String format;

    @Option(names = "--submission", paramLabel = "NAME",
            description = "Write the file a competition takes instead of --format's CSV: kaggle-dogs-vs-cats (id,label ="
                    + " the probability of dog, numeric id order), tianchi-svhn (file_name,file_code), id-label (id,label).")
    String submission;

    @Option(names = "--batch-size", defaultValue = "64", paramLabel = "N", description = "Default: ${DEFAULT-VALUE}.")
    int batchSize;

    @Mixin
    EngineArgs engine;


    @Override
    public Integer call() throws Exception {
        Integer child = run.relaunchIfNeeded();
        if (child != null) {
            return child;
        }
        boolean single = Prediction.isSingleFile(input);
        Supplier<Classifier> model = engine.classifier(run, batchSize, single);
        Prediction.Options options = new Prediction.Options(batchSize, run.device(), run.transforms,
                UsageError.unlessRefused(() -> PredictionWriter.Format.parse(format)), topK, run.workers);
        if (submission != null) {
            if (single) {
                throw new UsageError("--submission " + submission + " is for a folder of test images; --input " + input
                        + " is one image");
            }
            if (!format.equals("label")) {
                throw new UsageError("--submission fixes the columns; leave out --format " + format);
            }
            options = options.withSubmission(UsageError.unlessRefused(() -> Submission.parse(submission)));
        }
        Prediction.Options o = options;
        Path csv = out != null ? out : single ? null : Path.of(submission != null ? "submission.csv" : "predictions.csv");
        Prediction.Outcome[] result = new Prediction.Outcome[1];
        try (Classifier classifier = model.get()) {
            if (csv == null) {
                result[0] = Prediction.run(classifier, input, null, o);
            } else {
                // written to a temporary file and renamed at the end: an interrupted run leaves no half CSV
                AtomicFiles.write(csv, stream -> {
                    Writer w = new OutputStreamWriter(stream, StandardCharsets.UTF_8);
                    result[0] = Prediction.run(classifier, input, w, o);
                    w.flush();
                });
            }
        }
        Prediction.Outcome r = result[0];
        if (single) {
            for (int h = 0; h < r.topK().size(); h++) {
                if (r.topK().size() > 1) {
                    System.out.println("position " + h + ":");
                }
                for (Scored s : r.topK().get(h)) {
                    System.out.printf(Locale.ROOT, "%8.2f%%  %s%n", 100 * s.probability(), s.label());
                }
            }
        }
        if (csv != null) {
            System.out.println("wrote " + r.rows() + " prediction(s) to " + csv.toAbsolutePath().normalize());
        }
        List<Skipped> skipped = r.skipped();
        if (!skipped.isEmpty()) {
            System.err.println("skipped " + skipped.size() + " unreadable image(s):");
            skipped.stream().limit(20).forEach(s -> System.err.println("  " + s.id() + ": " + s.reason()));
            if (skipped.size() > 20) {
                System.err.println("  ...");
            }
        }
        return 0;
    }
}
