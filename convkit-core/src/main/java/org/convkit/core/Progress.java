package org.convkit.core;

import java.io.PrintStream;
import java.util.Locale;

/**
 * The one progress bar of convkit: a line with rate and ETA for long jobs (packing, downloading,
 * evaluating, training epochs): {@code pack train [#######.............]  35%  21000/60000  4.1k
 * img/s  ETA 0:09}, optionally followed by a status ({@code loss 0.4123 acc 85.20%}). On a terminal
 * it redraws in place; otherwise (logs, CI) it prints a line every 10 seconds.
 */
public final class Progress implements AutoCloseable {
    private static final int WIDTH = 24;
    private final String label;
    private final long total;
    private final String unit;
    private final PrintStream out;
    private final boolean tty;
    private final long start = System.nanoTime();
    private long done;
    private long skipped;
    private String status = "";
    private long lastDraw = start;

    /**
     * @param label what is going on ("pack train")
     * @param total how many units in all, or 0 when unknown
     * @param unit "img", "B" (bytes are shown as MB)
     */
    public Progress(String label, long total, String unit) {
        this(label, total, unit, System.err, System.console() != null);
    }

    /**
     * @param out where the bar goes
     * @param tty redraw in place (a terminal), else a plain line every 10 seconds
     */
    public Progress(String label, long total, String unit, PrintStream out, boolean tty) {
        this.label = label;
        this.total = total;
        this.unit = unit;
        this.out = out;
        this.tty = tty;
    }

    /** Adds {@code n} units and redraws when enough time has passed. Thread-safe. */
    public synchronized void advance(long n) {
        done += n;
        long now = System.nanoTime();
        if (now - lastDraw > (tty ? 200_000_000L : 10_000_000_000L)) {
            lastDraw = now;
            draw(false);
        }
    }

    /** Counts {@code n} units as done that were not worked on now (a resumed epoch's first batches): no rate. */
    public synchronized void skip(long n) {
        done += n;
        skipped += n;
    }

    /** Text drawn after the rate and ETA (the running loss and accuracy), from the next redraw on. */
    public synchronized void status(String text) {
        status = text;
    }

    /** Draws the final state and ends the line. */
    @Override
    public synchronized void close() {
        draw(true);
    }

    /** Takes the bar away without a final line (on a terminal, clears it): for a caller that prints its own summary. */
    public synchronized void dismiss() {
        if (tty) {
            out.print("\r\u001b[K");
            out.flush();
        }
    }

    /** Units per second so far. */
    public synchronized double rate() {
        double s = (System.nanoTime() - start) / 1e9;
        return s > 0 ? (done - skipped) / s : 0;
    }

    private void draw(boolean last) {
        double rate = rate();
        StringBuilder sb = new StringBuilder(label).append(' ');
        if (total > 0) {
            int filled = (int) Math.min(WIDTH, WIDTH * done / total);
            sb.append('[').append("#".repeat(filled)).append(".".repeat(WIDTH - filled)).append(']');
            sb.append(String.format(Locale.ROOT, " %3d%%  %s/%s", 100 * done / total, amount(done), amount(total)));
        } else {
            sb.append(amount(done));
        }
        sb.append("  ").append(amount((long) rate)).append(' ').append(unit.equals("B") ? "MB" : unit).append("/s");
        if (last) {
            sb.append(String.format(Locale.ROOT, "  %.1f s", (System.nanoTime() - start) / 1e9));
        } else if (total > 0 && rate > 0) {
            long eta = (long) ((total - done) / rate);
            sb.append(String.format(Locale.ROOT, "  ETA %d:%02d", eta / 60, eta % 60));
        }
        if (!status.isEmpty()) {
            sb.append("  ").append(status);
        }
        if (tty) {
            out.print("\r" + sb + "\u001b[K" + (last ? "\n" : ""));
        } else {
            out.println(sb);
        }
        out.flush();
    }

    private String amount(long v) {
        if (unit.equals("B")) {
            return String.format(Locale.ROOT, "%.1f", v / 1e6);
        }
        return v >= 10_000 ? String.format(Locale.ROOT, "%.1fk", v / 1e3) : Long.toString(v);
    }
}
