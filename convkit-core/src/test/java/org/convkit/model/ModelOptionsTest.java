package org.convkit.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.List;
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

    @Test
    void theKnobNamesAreTheRecordsComponentsInOrder() {
        List<String> components = Arrays.stream(ModelKnobs.class.getRecordComponents()).map(RecordComponent::getName).toList();
        assertEquals(components, List.copyOf(ModelKnobs.NONE.byName().keySet()));
    }

    @Test
    void requireOnlyRefusesEachKnobButWidthByTheFlagFlagsGivenNames() {
        List<ModelKnobs> eachAlone = List.of(
                new ModelKnobs(0.5, null, null, null, null, null, null),
                new ModelKnobs(null, "1x64", null, null, null, null, null),
                new ModelKnobs(null, null, "512", null, null, null, null),
                new ModelKnobs(null, null, null, 0.3, null, null, null),
                new ModelKnobs(null, null, null, null, "cifar", null, null),
                new ModelKnobs(null, null, null, null, null, "sigmoid", null),
                new ModelKnobs(null, null, null, null, null, null, "concat"));
        assertEquals(ModelKnobs.NONE.byName().keySet().stream().map(n -> "--" + n).toList(),
                eachAlone.stream().flatMap(k -> k.flagsGiven().stream()).toList(), "one knob each, every knob");
        for (ModelKnobs k : eachAlone) {
            String flag = k.flagsGiven().get(0);
            String name = flag.substring(2);
            ModelOptions o = k.applyTo(ModelOptions.defaults());
            assertEquals(k, ModelKnobs.of(o), flag + " survives ModelOptions");
            o.requireOnly("net", name);
            if (name.equals(ModelKnobs.WIDTH)) {
                o.requireOnly("net");
            } else {
                ConvkitException e = assertThrows(ConvkitException.class, () -> o.requireOnly("net"));
                assertTrue(e.getMessage().startsWith(flag + " " + k.byName().get(name) + ": net has no such option"),
                        e.getMessage());
                e = assertThrows(ConvkitException.class, () -> o.requireOnly("net", "width", name.equals("fc") ? "arch" : "fc"));
                assertTrue(e.getMessage().startsWith(flag + " "), e.getMessage());
            }
        }
    }

    @Test
    void requireOnlyKnowsTheKnobsItIsTold() {
        assertThrows(IllegalArgumentException.class, () -> ModelOptions.defaults().requireOnly("net", "dropuot"));
    }
}
