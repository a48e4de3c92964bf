package org.convkit.report;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.convkit.data.image.Png;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * {@code lr-find.png}: the learning-rate range test, loss against learning rate on a logarithmic
 * axis (raw loss faint, smoothed loss bold), the suggested learning rate marked by a vertical line.
 */
public final class LrFindPlot {
    private LrFindPlot() {}

    /**
     * @param lrs learning rate of each step
     * @param losses the batch loss of each step
     * @param smoothed the smoothed loss of each step
     * @param suggestion the learning rate to mark
     * @param label what the mark means ("suggestion 3.2e-03 (minimum/10)")
     */
    public static void write(double[] lrs, double[] losses, double[] smoothed, double suggestion, String label, Path file)
            throws IOException {
        XYChart chart = new XYChartBuilder().width(720).height(460).title("Learning-rate range test")
                .xAxisTitle("learning rate (log scale)").yAxisTitle("training loss").build();
        CurvesPlot.style(chart);
        chart.getStyler().setXAxisLogarithmic(true);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
        chart.getStyler().setXAxisDecimalPattern("0.#E0");
        List<Double> x = new ArrayList<>();
        List<Double> raw = new ArrayList<>();
        List<Double> smooth = new ArrayList<>();
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < lrs.length; i++) {
            if (Double.isFinite(losses[i]) && Double.isFinite(smoothed[i])) {
                x.add(lrs[i]);
                raw.add(losses[i]);
                smooth.add(smoothed[i]);
                lo = Math.min(lo, Math.min(losses[i], smoothed[i]));
                hi = Math.max(hi, smoothed[i]);
            }
        }
        if (x.isEmpty()) {
            throw new IllegalArgumentException("no finite loss to plot");
        }
        // the diverging tail would flatten the interesting part: cap the axis near the smoothed curve
        chart.getStyler().setYAxisMin(lo - 0.05 * (hi - lo));
        chart.getStyler().setYAxisMax(hi + 0.05 * (hi - lo));
        XYSeries r = chart.addSeries("loss", x, raw);
        r.setMarker(SeriesMarkers.NONE);
        r.setLineColor(new java.awt.Color(160, 190, 230));
        XYSeries s = chart.addSeries("smoothed loss", x, smooth);
        s.setMarker(SeriesMarkers.NONE);
        s.setLineColor(new java.awt.Color(31, 90, 180));
        s.setLineWidth(2.5f);
        if (Double.isFinite(suggestion) && suggestion > 0) {
            XYSeries m = chart.addSeries(label, List.of(suggestion, suggestion), List.of(lo, hi));
            m.setMarker(SeriesMarkers.NONE);
            m.setLineColor(new java.awt.Color(200, 40, 40));
            m.setLineWidth(2f);
        }
        Png.write(Charts.render(chart), file);
    }

    /** "3.16e-03". */
    public static String fmt(double v) {
        return String.format(Locale.ROOT, "%.2e", v);
    }
}
