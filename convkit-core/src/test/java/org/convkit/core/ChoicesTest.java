package org.convkit.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.convkit.data.image.Presets;
import org.convkit.eval.PredictionWriter;
import org.convkit.transfer.FineTuneOptions;
import org.junit.jupiter.api.Test;

class ChoicesTest {
    @Test
    void namesAConstantWhateverItsCaseAndBlanks() {
        assertEquals(Presets.Augment.LIGHT, Presets.Augment.parse("light"));
        assertEquals(Presets.Augment.STANDARD, Presets.Augment.parse(" Standard "));
        assertEquals(PredictionWriter.Format.PROBS, PredictionWriter.Format.parse("PROBS"));
        assertEquals(FineTuneOptions.Mode.FEATURES, FineTuneOptions.Mode.parse("features"));
    }

    @Test
    void anythingElseNamesTheFlagAndListsTheChoices() {
        // the messages each flag had when it parsed its own value
        assertEquals("--augment heavy: expected none, light or standard",
                assertThrows(ConvkitException.class, () -> Presets.Augment.parse("heavy")).getMessage());
        assertEquals("--format csv: expected label, probs or logits",
                assertThrows(ConvkitException.class, () -> PredictionWriter.Format.parse("csv")).getMessage());
        assertEquals("--mode null: expected full or features",
                assertThrows(ConvkitException.class, () -> FineTuneOptions.Mode.parse(null)).getMessage());
    }
}
