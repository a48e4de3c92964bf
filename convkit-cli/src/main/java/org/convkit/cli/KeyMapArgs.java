package org.convkit.cli;

import java.nio.file.Path;
import org.convkit.model.weights.KeyMap;
import picocli.CommandLine.Option;

/** {@code --key-map FILE}: renames a weights file's keys ({@link KeyMap}); for every option that reads one. */
public final class KeyMapArgs {
    @Option(names = "--key-map", paramLabel = "FILE",
            description = "Rename the weights file's keys first: one rule per line, FROM TO (a key, or a prefix"
                    + " ending in '.'; TO '.' removes the prefix, '-' drops the tensors). For files whose names"
                    + " neither match nor line up by position.")
    public String keyMap;

    /** The rules, or {@link KeyMap#NONE}. */
    public KeyMap read() {
        return keyMap == null ? KeyMap.NONE : KeyMap.read(Path.of(keyMap));
    }
}
