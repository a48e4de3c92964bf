package org.convkit.report;

import java.awt.Color;
import java.awt.Font;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import org.knowm.xchart.style.Styler;

/**
 * {@code confusion.png}: the confusion matrix as a heat map, true class down, predicted class
 * across, each cell labeled with its count and coloured by its share of the true class's samples
 * (row-normalized), so a rare class's mistakes are as visible as a common one's.
 */
public final class ConfusionPlot {
    /** Above this many classes cells are too small for numbers; colours alone remain. */
    static final int MAX_LABELED = 30;

    private ConfusionPlot() {}

    public static BufferedImage render(long[][] confusion, List<String> classes) {
        int c = classes.size();
        int cell = c <= 12 ? 56 : c <= MAX_LABELED ? 34 : Math.max(6, 900 / c);
        int longest = classes.stream().mapToInt(String::length).max().orElse(1);
        int margin = Math.min(260, 60 + 7 * longest);
        HeatMapChart chart = new HeatMapChartBuilder()
                .width(margin + 170 + c * cell)
                .height(margin + 90 + c * cell)
                .title("Confusion matrix (colour: share of the true class)")
                .xAxisTitle("predicted")
                .yAxisTitle("true")
                .build();
        var s = chart.getStyler();
        s.setChartBackgroundColor(Color.WHITE);
        s.setLegendPosition(Styler.LegendPosition.OutsideE);
        s.setRangeColors(new Color[] {Color.WHITE, new Color(0x9e, 0xca, 0xe1), new Color(0x31, 0x82, 0xbd)});
        s.setMin(0);
        s.setMax(1);
        s.setShowValue(c <= MAX_LABELED);
        s.setValueFont(new Font(Font.SANS_SERIF, Font.PLAIN, c <= 12 ? 13 : 10));
        s.setValueFontColor(Color.BLACK);
        s.setHeatMapValueDecimalPattern("#,##0");
        s.setDrawBorder(c <= MAX_LABELED);
        s.setXAxisLabelRotation(c > 6 ? 45 : 0);
        s.setAxisTicksVisible(c <= MAX_LABELED * 2);
        s.setPlotContentSize(1);

        List<String> predicted = new ArrayList<>(classes);
        // XChart's y axis grows upwards; list the true classes reversed so the first is on top
        List<String> truth = new ArrayList<>(classes);
        java.util.Collections.reverse(truth);
        List<Number[]> cells = new ArrayList<>(c * c);
        for (int t = 0; t < c; t++) {
            long row = 0;
            for (long v : confusion[t]) {
                row += v;
            }
            for (int p = 0; p < c; p++) {
                double share = row == 0 ? 0 : (double) confusion[t][p] / row;
                cells.add(new Number[] {p, c - 1 - t, new Cell(confusion[t][p], share)});
            }
        }
        chart.addSeries("share of true class", predicted, truth, cells);
        return Charts.render(chart);
    }

    /**
     * A heat-map value that is coloured by one number and labeled with another. XChart colours a
     * cell by {@code doubleValue()} and prints it through {@link java.text.DecimalFormat}, which
     * formats an {@link AtomicLong} by its {@code longValue()}: the share sets the colour, the
     * count is the text.
     */
    static final class Cell extends AtomicLong {
        private static final long serialVersionUID = 1L;
        private final double share;

        Cell(long count, double share) {
            super(count);
            this.share = share;
        }

        @Override
        public double doubleValue() {
            return share;
        }

        @Override
        public float floatValue() {
            return (float) share;
        }
    }
}
