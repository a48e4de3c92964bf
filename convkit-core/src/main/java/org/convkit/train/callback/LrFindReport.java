package org.convkit.train.callback;

import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.convkit.core.ConvkitException;
import org.convkit.core.Json;
import org.convkit.core.RunFiles;
import org.convkit.report.LrFindPlot;
import org.convkit.report.ResultCsv;
import org.convkit.train.lrfind.LrFinder;

/**
 * Writes a range test's {@code lr-find.png}, {@code lr-find.csv} (lr,loss,smoothed) and {@code
 * lr-find.json}: what the {@link ReportCallback} writes after a sweep, and {@code convkit lr-find}
 * into its {@code --out}.
 */
public final class LrFindReport {
    private static final CsvSchema COLUMNS = CsvSchema.builder().addColumn("lr").addColumn("loss")
            .addColumn("smoothed").build().withHeader();

    private LrFindReport() {}

    /** Writes the three files into {@code dir}; returns the plot's path. */
    public static Path write(LrFinder.Result r, Path dir) {
        List<LrFinder.Point> p = r.points();
        double[] lr = new double[p.size()];
        double[] loss = new double[p.size()];
        double[] smooth = new double[p.size()];
        for (int i = 0; i < lr.length; i++) {
            lr[i] = p.get(i).lr();
            loss[i] = p.get(i).loss();
            smooth[i] = p.get(i).smoothed();
        }
        Path png = dir.resolve(RunFiles.LR_FIND_PNG);
        try {
            Files.createDirectories(dir);
            LrFindPlot.write(lr, loss, smooth, r.suggestion(), "suggestion " + LrFindPlot.fmt(r.suggestion()), png);
            List<List<String>> rows = new ArrayList<>();
            for (int i = 0; i < lr.length; i++) {
                rows.add(List.of(g6(lr[i]), g6(loss[i]), g6(smooth[i])));
            }
            ResultCsv.write(dir.resolve(RunFiles.LR_FIND_CSV), COLUMNS, rows);
            Json.writePretty(dir.resolve(RunFiles.LR_FIND_JSON), r.summary());
        } catch (IOException e) {
            throw new ConvkitException("cannot write the lr-find files in " + dir + ": " + e.getMessage(), e);
        }
        return png;
    }

    private static String g6(double v) {
        return String.format(Locale.ROOT, "%.6g", v);
    }
}
