package org.convkit.report;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.convkit.core.AtomicFiles;
import org.convkit.core.Json;
import org.convkit.core.RunFiles;
import org.convkit.data.ImageSource;
import org.convkit.data.image.Png;
import org.convkit.eval.EvalResult;

/**
 * The artifacts of a run folder: {@code curves.png}, {@code confusion.png}, {@code confusion.csv},
 * {@code per_class.csv}, {@code eval.json}, {@code gallery/} and {@code report.html}.
 *
 * <p>The trainer calls {@link #write(Path, EvalResult, ImageSource)} once it has evaluated the
 * validation split; {@link #write(Path)} re-makes plots and page from the files alone (after more
 * epochs were appended to metrics.csv, or to restyle), without the model or the dataset.
 */
public final class RunReport {

    private RunReport() {}

    /**
     * Saves a validation evaluation into the run folder (eval.json, the CSVs, gallery thumbnails
     * read from {@code images} by sample index) and then writes every plot and the report.
     *
     * @param runDir the run folder, {@code runs/<name>/}
     * @param validation the evaluation of the validation split
     * @param images the validation samples the evaluation read, for the gallery; null for none
     * @return the report's path
     */
    public static Path write(Path runDir, EvalResult validation, ImageSource images) throws IOException {
        Files.createDirectories(runDir);
        Json.writePretty(runDir.resolve(RunFiles.EVALUATION), validation);
        ResultCsv.writeConfusion(validation, runDir.resolve(RunFiles.CONFUSION_CSV));
        ResultCsv.writePerClass(validation, runDir.resolve(RunFiles.PER_CLASS_CSV));
        clearGallery(runDir);
        if (images != null) {
            Gallery.write(runDir, validation.mistakes(), images);
        }
        return write(runDir);
    }

    /**
     * Re-makes {@code curves.png}, {@code confusion.png} and {@code report.html} from the files in
     * the run folder.
     *
     * @return the report's path
     */
    public static Path write(Path runDir) throws IOException {
        RunFolder run = RunFolder.open(runDir);
        EpochLog metrics = run.metrics();
        Map<String, Object> config = run.config();
        String mixing = mixingNote(config);
        String lossNote = String.join(", ", java.util.stream.Stream.of(smoothingNote(config), mixing)
                .filter(n -> !n.isEmpty()).toList());
        Optional<byte[]> curves = CurvesPlot.render(metrics, lossNote, mixing).map(Png::encode);
        if (curves.isPresent()) {
            byte[] png = curves.get();
            AtomicFiles.write(run.file(RunFiles.CURVES), out -> out.write(png));
        }
        Optional<EvalResult> eval = run.evaluation();
        Optional<byte[]> confusion = Optional.empty();
        List<Optional<byte[]>> thumbs = new ArrayList<>();
        if (eval.isPresent()) {
            BufferedImage img = ConfusionPlot.render(eval.get().confusion(), eval.get().classes());
            confusion = Optional.of(Png.encode(img));
            byte[] png = confusion.get();
            AtomicFiles.write(run.file(RunFiles.CONFUSION_PNG), out -> out.write(png));
            for (int i = 0; i < eval.get().mistakes().size(); i++) {
                Path f = Gallery.file(runDir, i, eval.get().mistakes().get(i));
                thumbs.add(Files.exists(f) ? Optional.of(Files.readAllBytes(f)) : Optional.empty());
            }
        }
        String html = HtmlReport.render(new HtmlReport.Page(
                run.name(),
                config,
                metrics,
                eval,
                curves,
                confusion,
                thumbs,
                run.skippedCount(),
                run.freezing(),
                monitor(config),
                run.bestCheckpointEpoch(),
                ZonedDateTime.now().truncatedTo(ChronoUnit.SECONDS).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME)));
        Path report = run.file(RunFiles.REPORT);
        AtomicFiles.write(report, out -> out.write(html.getBytes(StandardCharsets.UTF_8)));
        return report;
    }

    /** Old thumbnails would be shown next to a new evaluation's mistakes: remove them first. */
    private static void clearGallery(Path runDir) throws IOException {
        Path dir = runDir.resolve(RunFiles.GALLERY);
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (var files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                if (f.getFileName().toString().endsWith(".png")) {
                    Files.delete(f);
                }
            }
        }
    }

    /** The config keys of the training's label smoothing and batch mixing (train's flag names). */
    static final String LABEL_SMOOTHING = "label-smoothing";
    static final String MIXUP = "mixup";
    static final String CUTMIX = "cutmix";
    /** The config key of what picked checkpoints/best ({@code --monitor}), and its default. */
    static final String MONITOR = "monitor";
    static final String VALID_ACC = "valid_acc";

    /** The run's {@code --monitor}: a metrics.csv column, valid_acc when config.json has none. */
    static String monitor(Map<String, Object> config) {
        return config.get(MONITOR) instanceof String m && !m.isBlank() ? m.toLowerCase(java.util.Locale.ROOT) : VALID_ACC;
    }

    /** "label smoothing 0.1", or empty without smoothing. */
    static String smoothingNote(Map<String, Object> config) {
        double s = number(config, LABEL_SMOOTHING);
        return s > 0 ? "label smoothing " + s : "";
    }

    /** "mixup 0.2", "cutmix 1.0", both, or empty without batch mixing. */
    static String mixingNote(Map<String, Object> config) {
        List<String> notes = new ArrayList<>();
        for (String key : List.of(MIXUP, CUTMIX)) {
            double alpha = number(config, key);
            if (alpha > 0) {
                notes.add(key + " " + alpha);
            }
        }
        return String.join(", ", notes);
    }

    private static double number(Map<String, Object> config, String key) {
        return config.get(key) instanceof Number n ? n.doubleValue() : 0;
    }
}
