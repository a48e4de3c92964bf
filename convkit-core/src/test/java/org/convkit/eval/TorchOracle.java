package org.convkit.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** Runs a script from src/test/python with Debian's PyTorch (/usr/bin/python3) and reads its JSON. */
final class TorchOracle {
    static final Path PYTHON = Path.of("/usr/bin/python3");

    private TorchOracle() {}

    static JsonNode run(String script, Object input) throws IOException, InterruptedException {
        ObjectMapper json = new ObjectMapper();
        Path in = Files.createTempFile("oracle", ".json");
        try {
            json.writeValue(in.toFile(), input);
            Process p = new ProcessBuilder(PYTHON.toString(), org.convkit.TestPaths.python(script).toString(), in.toString())
                    .redirectError(ProcessBuilder.Redirect.INHERIT)
                    .start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(300, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException(script + " failed: " + out);
            }
            return json.readTree(out);
        } finally {
            Files.deleteIfExists(in);
        }
    }
}
