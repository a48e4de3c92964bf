package org.convkit.eval;

import com.fasterxml.jackson.core.type.TypeReference;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.convkit.core.ConvkitException;
import org.convkit.core.Json;
import org.convkit.core.RunFiles;

/**
 * A run folder's {@code config.json}: the resolved training config, flag names as keys. Evaluation
 * reads it to find a run's data and validation split; the report shows it.
 */
public final class RunConfigFile {

    private RunConfigFile() {}

    /** The config of {@code runDir}, in the saved order; empty when it has none. */
    public static Map<String, Object> read(Path runDir) {
        Path f = runDir.resolve(RunFiles.CONFIG);
        if (!Files.exists(f)) {
            return new LinkedHashMap<>();
        }
        try {
            return Json.mapper().readValue(f.toFile(), new TypeReference<LinkedHashMap<String, Object>>() {});
        } catch (IOException e) {
            throw new ConvkitException("cannot read " + f + ": " + e.getMessage() + ". It should be a JSON object.", e);
        }
    }
}
