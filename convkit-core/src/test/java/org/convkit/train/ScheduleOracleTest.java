package org.convkit.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.Map;
import org.convkit.train.schedule.Cosine;
import org.convkit.train.schedule.OneCycle;
import org.convkit.train.schedule.Schedule;
import org.convkit.train.schedule.StepDecay;
import org.convkit.train.schedule.Warmup;
import org.convkit.train.schedule.Constant;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Learning rate (and one-cycle momentum) per step against torch.optim.lr_scheduler. */
@Tag("integration")
class ScheduleOracleTest {
    private static final double LR = 0.1;

    @Test
    void oneCycleDefaults() throws Exception {
        check("onecycle", Map.of(), OneCycle.of(100), 100, true);
    }

    @Test
    void oneCycleOddLengthAndShortWarmup() throws Exception {
        check("onecycle", Map.of("pct_start", 0.1), OneCycle.withWarmup(37, 0.1), 37, true);
    }

    @Test
    void stepLr() throws Exception {
        check("step", Map.of("step_size", 7, "gamma", 0.5), new StepDecay(7, 0.5), 30, false);
    }

    @Test
    void cosine() throws Exception {
        check("cosine", Map.of("T_max", 50), new Cosine(50, 0), 50, false);
    }

    @Test
    void linearWarmup() throws Exception {
        check("linear", Map.of("start_factor", 0.01, "total_iters", 10), new Warmup(new Constant(), 10, 0.01), 25, false);
    }

    private static void check(String kind, Map<String, Object> kwargs, Schedule ours, int steps, boolean momentum)
            throws Exception {
        org.convkit.Needs.torch();
        Map<String, Object> in = new LinkedHashMap<>();
        in.put("mode", "schedule");
        in.put("kind", kind);
        in.put("steps", steps);
        in.put("lr", LR);
        in.put("kwargs", kwargs);
        JsonNode torch = Torch.run(in);
        for (int t = 0; t < steps; t++) {
            double want = torch.get("lr").get(t).asDouble();
            assertEquals(want, LR * ours.lrFactor(t), 1e-9 * Math.max(want, 1e-6), kind + " lr at step " + t);
            if (momentum) {
                assertEquals(torch.get("momentum").get(t).asDouble(), ours.momentum(t), 1e-9, kind + " momentum at step " + t);
            }
        }
    }
}
