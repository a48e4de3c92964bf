package org.convkit.report;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import org.convkit.core.ConvkitException;
import org.convkit.data.image.Png;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.Styler;

/**
 * Several runs side by side: the config values that differ between them (the learning rates and
 * optimizers people tabulate by hand) next to each run's final and best metrics, and one plot of
 * validation accuracy per epoch with a line per run.
 */
public final class RunComparison {
    /** Config keys never compared: the run's own name is the row label already. */
    private static final Set<String> IGNORED = Set.of("run");

    /**
     * One run's row.
     *
     * @param run the run's name (its folder; the path when two folders share a name)
     * @param dir the run folder
     * @param config the differing config values, as text ("" = not set in this run)
     * @param epochs epochs recorded
     * @param finalValidAcc valid_acc of the last epoch that has one
     * @param bestValidAcc the highest valid_acc
     * @param bestEpoch the epoch of {@code bestValidAcc}, null when there is none
     * @param finalValidLoss valid_loss of the last epoch that has one
     * @param finalTrainLoss train_loss of the last epoch that has one
     * @param finalTrainAcc train_acc of the last epoch that has one
     * @param seconds total training time (sum of the seconds column)
     *     <p>Metrics a run does not have (no validation split, no epoch yet) are null.
     */
    public record Row(
            String run,
            String dir,
            Map<String, String> config,
            int epochs,
            Double finalValidAcc,
            Double bestValidAcc,
            Integer bestEpoch,
            Double finalValidLoss,
            Double finalTrainLoss,
            Double finalTrainAcc,
            Double seconds) {}

    private final List<String> differing;
    private final List<Row> rows;
    private final List<EpochLog> logs;

    private RunComparison(List<String> differing, List<Row> rows, List<EpochLog> logs) {
        this.differing = differing;
        this.rows = rows;
        this.logs = logs;
    }

    /** Reads the run folders; fails naming the folder that is not a run. */
    public static RunComparison of(List<Path> dirs) {
        if (dirs.isEmpty()) {
            throw new ConvkitException("compare: give at least one run folder, e.g. runs/A runs/B");
        }
        List<RunFolder> runs = dirs.stream().map(RunFolder::open).toList();
        List<Map<String, String>> configs = new ArrayList<>();
        Set<String> keys = new LinkedHashSet<>();
        for (RunFolder r : runs) {
            Map<String, String> c = new LinkedHashMap<>();
            r.config().forEach((k, v) -> c.put(k, RunFolder.configText(v)));
            configs.add(c);
            keys.addAll(c.keySet());
        }
        List<String> differing = new ArrayList<>();
        for (String k : keys) {
            if (!IGNORED.contains(k) && configs.stream().map(c -> c.getOrDefault(k, "")).distinct().count() > 1) {
                differing.add(k);
            }
        }
        Set<String> names = new HashSet<>();
        Set<String> repeated = new HashSet<>();
        for (RunFolder r : runs) {
            if (!names.add(r.name())) {
                repeated.add(r.name());
            }
        }
        List<Row> rows = new ArrayList<>();
        List<EpochLog> logs = new ArrayList<>();
        for (int i = 0; i < runs.size(); i++) {
            RunFolder r = runs.get(i);
            EpochLog log = r.metrics();
            logs.add(log);
            Map<String, String> shown = new LinkedHashMap<>();
            for (String k : differing) {
                shown.put(k, configs.get(i).getOrDefault(k, ""));
            }
            OptionalInt best = log.best("valid_acc", true);
            double seconds = 0;
            for (double s : log.column("seconds")) {
                seconds += Double.isFinite(s) ? s : 0;
            }
            rows.add(new Row(
                    repeated.contains(r.name()) ? r.dir().toString() : r.name(),
                    r.dir().toString(),
                    shown,
                    log.size(),
                    finite(log.last("valid_acc")),
                    best.isPresent() ? log.column("valid_acc")[best.getAsInt()] : null,
                    best.isPresent() ? (int) log.epochs()[best.getAsInt()] : null,
                    finite(log.last("valid_loss")),
                    finite(log.last("train_loss")),
                    finite(log.last("train_acc")),
                    seconds > 0 ? seconds : null));
        }
        return new RunComparison(differing, rows, logs);
    }

    /** Config keys whose values differ between the runs, in the order the configs list them. */
    public List<String> differingKeys() {
        return differing;
    }

    public List<Row> rows() {
        return rows;
    }

    /** The table as text: one line per run, the differing config values then the metrics. */
    public String toTable() {
        List<String> header = new ArrayList<>();
        header.add("run");
        header.addAll(differing);
        header.addAll(List.of("epochs", "final valid_acc", "best valid_acc", "best epoch", "final valid_loss",
                "final train_loss", "time"));
        List<List<String>> cells = new ArrayList<>();
        for (Row r : rows) {
            List<String> c = new ArrayList<>();
            c.add(r.run());
            for (String k : differing) {
                c.add(r.config().get(k).isEmpty() ? "-" : r.config().get(k));
            }
            c.add(String.valueOf(r.epochs()));
            c.add(Numbers.pct(nan(r.finalValidAcc())));
            c.add(Numbers.pct(nan(r.bestValidAcc())));
            c.add(r.bestEpoch() == null ? "-" : String.valueOf(r.bestEpoch()));
            c.add(Numbers.num(nan(r.finalValidLoss()), 4));
            c.add(Numbers.num(nan(r.finalTrainLoss()), 4));
            c.add(duration(nan(r.seconds())));
            cells.add(c);
        }
        int[] width = new int[header.size()];
        for (int j = 0; j < width.length; j++) {
            width[j] = header.get(j).length();
            for (List<String> c : cells) {
                width[j] = Math.max(width[j], c.get(j).length());
            }
        }
        StringBuilder s = new StringBuilder();
        line(s, header, width);
        for (List<String> c : cells) {
            line(s, c, width);
        }
        if (differing.isEmpty() && rows.size() > 1) {
            s.append("(the configs are identical apart from the run name)\n");
        }
        return s.toString();
    }

    /**
     * Writes the overlay plot of validation accuracy per epoch (one line per run; runs without
     * validation are left out) to {@code png}.
     */
    public void plot(Path png) throws IOException {
        XYChart chart = new XYChartBuilder().width(900).height(540).title("Validation accuracy")
                .xAxisTitle("epoch").yAxisTitle("valid_acc").build();
        CurvesPlot.style(chart);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideSE);
        int plotted = 0;
        for (int i = 0; i < rows.size(); i++) {
            if (CurvesPlot.addSeries(chart, logs.get(i), "valid_acc", label(rows.get(i)))) {
                plotted++;
            }
        }
        if (plotted == 0) {
            throw new ConvkitException("compare: none of the runs has a valid_acc column in metrics.csv to plot");
        }
        Png.write(Charts.render(chart), png);
    }

    /** The JSON form for scripts. */
    public Map<String, Object> toJson() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("differing", differing);
        out.put("runs", rows);
        return out;
    }

    /** "A (lr=0.1, optimizer=sgd)": the legend says what the run changed. */
    private String label(Row r) {
        List<String> parts = new ArrayList<>();
        for (String k : differing) {
            parts.add(k + "=" + (r.config().get(k).isEmpty() ? "-" : r.config().get(k)));
        }
        String s = parts.isEmpty() ? r.run() : r.run() + " (" + String.join(", ", parts) + ")";
        // a legend entry longer than the plot is unreadable
        return s.length() > 70 ? s.substring(0, 67) + "..." : s;
    }

    private static void line(StringBuilder s, List<String> cells, int[] width) {
        for (int j = 0; j < cells.size(); j++) {
            String c = cells.get(j);
            // text left, numbers right: the way tables of results are read
            boolean numeric = j > 0 && !c.isEmpty() && (Character.isDigit(c.charAt(0)) || c.equals("n/a") || c.equals("-"));
            String fmt = "%" + (numeric ? "" : "-") + width[j] + "s";
            s.append(j == 0 ? "" : "  ").append(String.format(Locale.ROOT, fmt, c));
        }
        s.setLength(s.toString().stripTrailing().length());
        s.append('\n');
    }

    private static String duration(double seconds) {
        if (!(seconds > 0)) {
            return "-";
        }
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%dh%02dm", s / 3600, s / 60 % 60)
                : String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
    }

    private static Double finite(double v) {
        return Double.isFinite(v) ? v : null;
    }

    private static double nan(Double v) {
        return v == null ? Double.NaN : v;
    }
}
