package org.convkit.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Asks Debian's PyTorch (/usr/bin/python3, never the pyenv python on PATH) what it computes for a
 * case: src/test/python/train_oracle.py reads the case as JSON and prints JSON.
 */
final class Torch {
    static final Path PYTHON = Path.of("/usr/bin/python3");

    private Torch() {}

    static JsonNode run(Map<String, Object> input) throws IOException, InterruptedException {
        ObjectMapper json = new ObjectMapper();
        Path in = Files.createTempFile("train-oracle", ".json");
        try {
            json.writeValue(in.toFile(), input);
            Process p = new ProcessBuilder(PYTHON.toString(), org.convkit.TestPaths.python("train_oracle.py").toString(), in.toString())
                    .redirectError(ProcessBuilder.Redirect.INHERIT)
                    .start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(300, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("train_oracle.py failed: " + out);
            }
            return json.readTree(out);
        } finally {
            Files.deleteIfExists(in);
        }
    }
}
