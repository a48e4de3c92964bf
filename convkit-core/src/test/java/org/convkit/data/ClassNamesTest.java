package org.convkit.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.convkit.core.ConvkitException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClassNamesTest {
    @Test
    void listFileAndTheImageNetNames(@TempDir Path tmp) throws Exception {
        assertEquals(List.of("cat", "dog", "hot dog"), ClassNames.parse("cat, dog ,hot dog", "--class-names"));
        Path f = Files.writeString(tmp.resolve("classes.txt"), "T-shirt/top\nTrouser\n\nPullover\r\n");
        assertEquals(List.of("T-shirt/top", "Trouser", "Pullover"), ClassNames.parse("@" + f, "--class-names"));
        List<String> imagenet = ClassNames.parse("imagenet", "--class-names");
        // torchvision's order (ResNet18_Weights.IMAGENET1K_V1.meta["categories"]): class 281 is "tabby"
        assertEquals(1000, imagenet.size());
        assertEquals("tench", imagenet.get(0));
        assertEquals("tabby", imagenet.get(281));
        assertEquals("toilet tissue", imagenet.get(999));
        assertEquals(1000, imagenet.stream().distinct().count());
    }

    @Test
    void mistakesAreNamed(@TempDir Path tmp) {
        for (String[] c : new String[][] {{"a,,b", "empty name"}, {"a,b,a", "'a' is named twice"},
            {"alone", "one class name"}, {"@" + tmp.resolve("none.txt"), "cannot read"}}) {
            ConvkitException e = assertThrows(ConvkitException.class, () -> ClassNames.parse(c[0], "--class-names"));
            assertTrue(e.getMessage().startsWith("--class-names ") && e.getMessage().contains(c[1]), e.getMessage());
        }
    }
}
