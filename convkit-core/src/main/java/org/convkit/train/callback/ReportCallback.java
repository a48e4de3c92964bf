package org.convkit.train.callback;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import org.convkit.data.ImageSource;
import org.convkit.eval.EvalResult;
import org.convkit.report.RunReport;
import org.convkit.train.Callback;
import org.convkit.train.FitResult;
import org.convkit.train.Learner;
import org.convkit.train.lrfind.LrFinder;

/**
 * Writes a run's reports into its folder as training reaches them: after a learning-rate sweep
 * ({@code --lr auto}) its plot and tables ({@link LrFindReport}), after the final validation the
 * plots, tables, gallery and {@code report.html} ({@link RunReport}). The one way training reaches
 * report code (PackageOrderTest holds it to that): the loop and {@code Training} never call it.
 *
 * <p>A report that cannot be written is a warning, never a failed run: the model is what matters.
 */
public final class ReportCallback implements Callback {
    private final Path runDir;
    private final PrintStream out;
    private Path report;
    private Path lrFindPlot;

    /**
     * @param runDir the run folder
     * @param out where warnings go
     */
    public ReportCallback(Path runDir, PrintStream out) {
        this.runDir = runDir;
        this.out = out;
    }

    /** After a learning-rate sweep (a learner with an {@link LrFinder}): lr-find.png, .csv and .json. */
    @Override
    public void onFitEnd(Learner learner, FitResult result) {
        learner.callback(LrFinder.class).ifPresent(f -> lrFindPlot = LrFindReport.write(f.result(), runDir));
    }

    @Override
    public void onValidated(Learner learner, EvalResult validation, ImageSource images) {
        try {
            report = RunReport.write(runDir, validation, images);
        } catch (IOException | RuntimeException e) {
            out.println("warning: the report could not be written: " + e.getMessage());
        }
    }

    /** report.html, or null when none was written (no validation split, or it failed). */
    public Path report() {
        return report;
    }

    /** lr-find.png of the last sweep, or null. */
    public Path lrFindPlot() {
        return lrFindPlot;
    }
}
