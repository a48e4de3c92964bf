package org.convkit.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class BaselineTest {
    private static EvalResult result(long[][] confusion) {
        long samples = 0;
        long right = 0;
        for (int t = 0; t < confusion.length; t++) {
            for (int p = 0; p < confusion[t].length; p++) {
                samples += confusion[t][p];
                right += t == p ? confusion[t][p] : 0;
            }
        }
        return new EvalResult(List.of("beetle", "ant"), 1, -1, samples, 0.7, right / (double) samples, null,
                new double[] {right / (double) samples}, null, confusion, List.of(), null, null, List.of());
    }

    @Test
    void theIssuesRunAt47PercentIsWorseThanAlwaysAnsweringTheLargerClass() {
        // 54% ants: 47% right is worse than always saying "ant"
        EvalResult r = result(new long[][] {{20, 26}, {27, 27}});
        Baseline.Majority m = Baseline.majority(r);
        assertEquals("ant", m.name());
        assertEquals(0.54, m.share(), 1e-12);
        String w = Baseline.warning(r);
        assertTrue(w.contains("accuracy 47.0% is no better than always answering the largest class (ant, 54.0%"), w);
    }

    @Test
    void aModelThatBeatsTheLargestClassGetsNoWarning() {
        assertNull(Baseline.warning(result(new long[][] {{40, 6}, {4, 50}})));
        // equal to the majority's share (it always answers "ant") is no better
        assertTrue(Baseline.warning(result(new long[][] {{0, 46}, {0, 54}})) != null);
    }
}
