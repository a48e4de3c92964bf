package org.convkit.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.convkit.core.ConvkitException;
import org.junit.jupiter.api.Test;

/** The builder holds the defaults and the field order once; each {@code with...} changes its own field only. */
class ModelOptionsTest {

    @Test
    void defaultsAreImageNets() {
        assertEquals(new ModelOptions(1000, 3, 224, 224, 1, null, 1.0, null, null, null, null, null),
                ModelOptions.defaults());
    }

    @Test
    void eachWitherChangesItsOwnField() {
        ModelOptions o = ModelOptions.defaults().withClasses(10).withInput(1, 28, 32).withHeads(2).withDropout(0.3)
                .withWidthMultiplier(0.5).withActivation("sigmoid").withStem("cifar").withArch("1x64")
                .withFc("512").withPool("concat");
        // five String knobs in a row: a positional copy could swap two without a compiler error
        assertEquals(new ModelOptions(10, 1, 28, 32, 2, 0.3, 0.5, "sigmoid", "cifar", "1x64", "512", "concat"), o);
        assertEquals(o, o.toBuilder().build());
        assertEquals(o.withDropout(null), o.toBuilder().dropout(null).build());
    }

    @Test
    void theBuilderValidatesAsTheConstructorDoes() {
        assertThrows(ConvkitException.class, () -> ModelOptions.builder().classes(0).build());
        assertThrows(ConvkitException.class, () -> ModelOptions.defaults().withInput(3, 0, 224));
    }
}
