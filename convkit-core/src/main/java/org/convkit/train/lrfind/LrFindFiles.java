package org.convkit.train.lrfind;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.convkit.core.AtomicFiles;
import org.convkit.core.ConvkitException;
import org.convkit.core.Json;
import org.convkit.report.LrFindPlot;

/** Writes a range test's {@code lr-find.png}, {@code lr-find.csv} (lr,loss,smoothed) and {@code lr-find.json}. */
public final class LrFindFiles {
    public static final String PNG = "lr-find.png";
    public static final String CSV = "lr-find.csv";
    public static final String JSON = "lr-find.json";

    private LrFindFiles() {}

    /** Writes the three files into {@code dir}; returns the plot's path. */
    public static Path write(LrFinder.Result r, Path dir) {
        List<LrFinder.Point> p = r.points();
        double[] lr = new double[p.size()];
        double[] loss = new double[p.size()];
        double[] smooth = new double[p.size()];
        StringBuilder csv = new StringBuilder("lr,loss,smoothed\n");
        for (int i = 0; i < lr.length; i++) {
            lr[i] = p.get(i).lr();
            loss[i] = p.get(i).loss();
            smooth[i] = p.get(i).smoothed();
            csv.append(String.format(Locale.ROOT, "%.6g,%.6g,%.6g%n", lr[i], loss[i], smooth[i]));
        }
        Path png = dir.resolve(PNG);
        try {
            Files.createDirectories(dir);
            LrFindPlot.write(lr, loss, smooth, r.suggestion(), "suggestion " + LrFindPlot.fmt(r.suggestion())
                    + " (minimum/10)", png);
            byte[] csvBytes = csv.toString().getBytes(StandardCharsets.UTF_8);
            AtomicFiles.write(dir.resolve(CSV), o -> o.write(csvBytes));
            byte[] json = Json.pretty().writeValueAsBytes(r.summary());
            AtomicFiles.write(dir.resolve(JSON), o -> o.write(json));
        } catch (IOException e) {
            throw new ConvkitException("cannot write the lr-find files in " + dir + ": " + e.getMessage(), e);
        }
        return png;
    }

    /** Two lines for the console: the suggestion with its rule, and where the sweep stopped. */
    public static String describe(LrFinder.Result r) {
        return String.format(Locale.ROOT, "suggested learning rate %s (%s); steepest descent at %s; %d steps, stopped: %s",
                LrFinder.fmt(r.suggestion()), r.rule(), Double.isFinite(r.steepest()) ? LrFinder.fmt(r.steepest()) : "-",
                r.points().size(), r.stopReason());
    }
}
