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
    static final String MISSING = "needs Debian's PyTorch for /usr/bin/python3 (apt-get install python3-torch)";
    private static Boolean available;

    private Torch() {}

    static synchronized boolean available() {
        if (available == null) {
            available = false;
            if (Files.isExecutable(PYTHON)) {
                try {
                    Process p = new ProcessBuilder(PYTHON.toString(), "-c", "import torch").redirectErrorStream(true).start();
                    p.getInputStream().readAllBytes();
                    available = p.waitFor(120, TimeUnit.SECONDS) && p.exitValue() == 0;
                } catch (IOException e) {
                    available = false;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        return available;
    }

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
