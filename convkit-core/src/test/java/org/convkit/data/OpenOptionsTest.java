package org.convkit.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.List;
import org.convkit.core.ConvkitException;
import org.junit.jupiter.api.Test;

/** The builder holds the defaults and the field order once; each {@code with...} changes its own field only. */
class OpenOptionsTest {

    @Test
    void defaultsAreTheDocumentedOnes() {
        assertEquals(new OpenOptions(0.1, 0, 0, null, null, true, null, null, null), OpenOptions.defaults());
    }

    @Test
    void eachWitherChangesItsOwnField() {
        Path images = Path.of("img");
        Path home = Path.of("home");
        Path labels = Path.of("labels.csv");
        OpenOptions o = OpenOptions.defaults().withValidSplit(0.2).withSeed(7).withHeads(3).withImages(images)
                .withClasses(List.of("a", "b")).withAcquire(false).withDataHome(home).withLabels(labels)
                .withLabelsFrom("pets");
        // the three Path fields are where a positional copy could swap two without a compiler error
        assertEquals(new OpenOptions(0.2, 7, 3, images, List.of("a", "b"), false, home, labels, "pets"), o);
        assertEquals(o, o.toBuilder().build());
    }

    @Test
    void theBuilderValidatesAsTheConstructorDoes() {
        assertThrows(ConvkitException.class, () -> OpenOptions.builder().validSplit(1).build());
        assertThrows(ConvkitException.class, () -> OpenOptions.defaults().withHeads(-1));
    }
}
