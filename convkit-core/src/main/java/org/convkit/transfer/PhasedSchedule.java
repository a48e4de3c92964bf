package org.convkit.transfer;

import java.util.ArrayList;
import java.util.List;
import org.convkit.train.schedule.Schedule;

/**
 * One schedule per fine-tuning phase, each starting from its own step 0 (fastai's fine_tune: a
 * one-cycle for the head, then a fresh one after unfreezing). Still a pure function of the global
 * step, so a resumed run lands in the right phase at the right point.
 */
final class PhasedSchedule implements Schedule {
    private final long[] starts;
    private final List<Schedule> parts;
    private final List<String> names;

    /**
     * @param starts the global step each phase begins at, ascending, the first 0
     * @param parts the schedule of each phase, over its own steps
     */
    PhasedSchedule(long[] starts, List<Schedule> parts, List<String> names) {
        this.starts = starts.clone();
        this.parts = List.copyOf(parts);
        this.names = List.copyOf(names);
    }

    private int phase(long step) {
        int p = 0;
        while (p + 1 < starts.length && step >= starts[p + 1]) {
            p++;
        }
        return p;
    }

    @Override
    public double lrFactor(long step) {
        int p = phase(step);
        return parts.get(p).lrFactor(step - starts[p]);
    }

    @Override
    public double momentum(long step) {
        int p = phase(step);
        return parts.get(p).momentum(step - starts[p]);
    }

    @Override
    public String describe() {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < parts.size(); i++) {
            out.add(names.get(i) + ": " + parts.get(i).describe());
        }
        return String.join("; ", out);
    }
}
