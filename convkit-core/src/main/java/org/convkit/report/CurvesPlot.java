package org.convkit.report;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * {@code curves.png}: loss (left) and accuracy (right) per epoch, training against validation,
 * from the run's metrics.csv. The gap between the two lines is what people look at for
 * over-fitting, so both always share one chart.
 */
public final class CurvesPlot {
    static final int WIDTH = 620;
    static final int HEIGHT = 420;

    private CurvesPlot() {}

    /** The two charts side by side, or empty when the log has no loss or accuracy at all. */
    public static Optional<BufferedImage> render(EpochLog log) {
        return render(log, "", "");
    }

    /**
     * As {@link #render(EpochLog)}, for a run whose training curves were measured under other
     * conditions than the validation curves, {@code lossNote} and {@code accuracyNote} saying which
     * (empty: none). Label smoothing keeps the training loss well above the plain cross-entropy of
     * validation even without over-fitting; MixUp/CutMix measure loss and accuracy on mixed
     * images. So the legend says which is which.
     */
    public static Optional<BufferedImage> render(EpochLog log, String lossNote, String accuracyNote) {
        List<XYChart> charts = charts(log, lossNote, accuracyNote);
        return charts.isEmpty() ? Optional.empty()
                : Optional.of(Charts.sideBySide(charts.stream().map(Charts::render).toArray(BufferedImage[]::new)));
    }

    /** The loss chart and the accuracy chart, those the log has columns for. */
    static List<XYChart> charts(EpochLog log, String lossNote, String accuracyNote) {
        List<XYChart> charts = new ArrayList<>();
        // loss falls and accuracy rises: the legend goes where the lines are not
        chart(log, "Loss", "cross-entropy", "train_loss", "valid_loss", train(lossNote), Styler.LegendPosition.InsideNE)
                .ifPresent(charts::add);
        chart(log, "Accuracy", "accuracy", "train_acc", "valid_acc", train(accuracyNote), Styler.LegendPosition.InsideSE)
                .ifPresent(charts::add);
        return charts;
    }

    private static String train(String note) {
        return note.isEmpty() ? "train" : "train (" + note + ")";
    }

    private static Optional<XYChart> chart(
            EpochLog log, String title, String yTitle, String train, String valid, String trainName,
            Styler.LegendPosition legend) {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title)
                .xAxisTitle("epoch").yAxisTitle(yTitle).build();
        style(chart);
        chart.getStyler().setLegendPosition(legend);
        boolean any = addSeries(chart, log, train, trainName);
        any |= addSeries(chart, log, valid, "valid");
        return any ? Optional.of(chart) : Optional.empty();
    }

    /** Adds the finite points of a column as a line; false when there are none. */
    static boolean addSeries(XYChart chart, EpochLog log, String column, String name) {
        double[] x = log.epochs();
        double[] y = log.column(column);
        List<Double> xs = new ArrayList<>();
        List<Double> ys = new ArrayList<>();
        for (int i = 0; i < y.length; i++) {
            if (Double.isFinite(y[i])) {
                xs.add(x[i]);
                ys.add(y[i]);
            }
        }
        if (xs.isEmpty()) {
            return false;
        }
        XYSeries s = chart.addSeries(name, xs, ys);
        s.setMarker(xs.size() <= 40 ? SeriesMarkers.CIRCLE : SeriesMarkers.NONE);
        return true;
    }

    static void style(XYChart chart) {
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
        chart.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
        chart.getStyler().setPlotGridLinesColor(new java.awt.Color(225, 225, 225));
        chart.getStyler().setAxisTickLabelsFont(chart.getStyler().getAxisTickLabelsFont().deriveFont(12f));
        chart.getStyler().setMarkerSize(6);
        chart.getStyler().setDecimalPattern("#0.###");
    }
}
