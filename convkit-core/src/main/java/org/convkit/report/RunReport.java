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
        AtomicFiles.write(runDir.resolve(RunFiles.EVALUATION),
                out -> Json.pretty().writeValue(out, validation));
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
        Optional<byte[]> curves = CurvesPlot.render(metrics, labelSmoothing(config)).map(Png::encode);
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

    /** The config key of the training's label smoothing (train's flag name). */
    static final String LABEL_SMOOTHING = "label-smoothing";

    /** The run's label smoothing, 0 when absent. */
    static double labelSmoothing(Map<String, Object> config) {
        Object v = config.get(LABEL_SMOOTHING);
        return v instanceof Number n ? n.doubleValue() : 0;
    }
}
