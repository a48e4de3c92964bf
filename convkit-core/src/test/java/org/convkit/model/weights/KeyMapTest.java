package org.convkit.model.weights;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.convkit.core.ConvkitException;
import org.junit.jupiter.api.Test;

class KeyMapTest {
    static Map<String, Integer> keys(String... names) {
        Map<String, Integer> m = new LinkedHashMap<>();
        for (int i = 0; i < names.length; i++) {
            m.put(names[i], i);
        }
        return m;
    }

    @Test
    void prefixesExactKeysRemovalAndDropsInTheFilesOrder() {
        KeyMap map = KeyMap.parse("""
                # comment line
                features.        net.      # a prefix
                classifier.weight net.11.weight
                body.            .
                aux.             -
                """, "map.txt");
        Map<String, Integer> out = map.apply(keys("features.0.weight", "features.0.bias", "body.fc.weight", "aux.1.weight",
                "classifier.weight", "other"));
        assertEquals(List.of("net.0.weight", "net.0.bias", "fc.weight", "net.11.weight", "other"), List.copyOf(out.keySet()));
        assertEquals(4, out.get("net.11.weight"), "values travel with their keys");
    }

    @Test
    void theFirstMatchingRuleWins() {
        KeyMap map = KeyMap.parse("a.b. x.\na. y.\n", "m");
        assertEquals(List.of("x.c", "y.c"), List.copyOf(map.apply(keys("a.b.c", "a.c")).keySet()));
    }

    @Test
    void mistakesNameTheLine() {
        ConvkitException e = assertThrows(ConvkitException.class,
                () -> KeyMap.parse("a. b.\nfeaturs. net.\n", "map.txt").apply(keys("a.w", "features.w")));
        assertTrue(e.getMessage().contains("map.txt line 2") && e.getMessage().contains("featurs."), e.getMessage());
        e = assertThrows(ConvkitException.class, () -> KeyMap.parse("a. b.\nc. b.\n", "m").apply(keys("a.w", "c.w")));
        assertTrue(e.getMessage().contains("a.w and c.w both become b.w"), e.getMessage());
        e = assertThrows(ConvkitException.class, () -> KeyMap.parse("one two three\n", "m"));
        assertTrue(e.getMessage().contains("m line 1"), e.getMessage());
        e = assertThrows(ConvkitException.class, () -> KeyMap.parse("key .\n", "m"));
        assertTrue(e.getMessage().contains("not a prefix"), e.getMessage());
        e = assertThrows(ConvkitException.class, () -> KeyMap.parse("# nothing\n\n", "m"));
        assertTrue(e.getMessage().contains("no rules"), e.getMessage());
    }
}
