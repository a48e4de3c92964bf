package org.convkit.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.convkit.core.Runtime;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * torchvision is the judge of the torchvision-faithful models: the state-dict keys our parameter
 * paths map to (through TorchKeys) and their shapes equal the ones torchvision builds, and the
 * parameter counts are equal. Needs Debian's python3-torch and python3-torchvision for
 * /usr/bin/python3; skipped, saying so, without them.
 */
@Tag("integration")
class TorchvisionLayoutTest {
    static final String PYTHON = "/usr/bin/python3";
    static final Path HELPER = org.convkit.TestPaths.python("torchvision_layouts.py");
    /** Compared key by key (the models the weight import supports first). */
    static final List<String> KEYED = List.of("resnet18", "resnet50", "alexnet", "vgg11", "vgg11_bn", "vgg16", "googlenet");
    /** Compared by parameter count: the rest of the torchvision-faithful models. */
    static final List<String> COUNTED = List.of("resnet34", "resnet101", "resnet152",
            "vgg13", "vgg13_bn", "vgg16_bn", "vgg19", "vgg19_bn");

    static JsonNode reference;

    @BeforeAll
    static void askTorchvision() throws Exception {
        org.convkit.Needs.torch();
        List<String> cmd = new ArrayList<>(List.of(PYTHON, HELPER.toString()));
        KEYED.forEach(n -> cmd.add(n + ":keys"));
        cmd.addAll(COUNTED);
        Result r = run(cmd);
        assertEquals(0, r.exit, "torchvision helper failed:\n" + r.output);
        reference = new ObjectMapper().readTree(r.output);
        Runtime.init();
    }

    @Test
    void keysAndShapesEqualTorchvisionsStateDicts() {
        for (String name : KEYED) {
            Map<String, List<Long>> theirs = new TreeMap<>();
            reference.get(name).get("keys").fields().forEachRemaining(e -> {
                List<Long> dims = new ArrayList<>();
                e.getValue().forEach(d -> dims.add(d.asLong()));
                theirs.put(e.getKey(), dims);
            });
            ConvNet net = Zoo.create(name);
            Map<String, List<Long>> ours = new TreeMap<>();
            for (Map.Entry<String, Shape> p : net.parameterShapes().entrySet()) {
                String key = net.torchKeys().toTorch(p.getKey()).orElseThrow(
                        () -> new AssertionError(name + ": no torchvision key for " + p.getKey()));
                ours.put(key, Arrays.stream(p.getValue().getShape()).boxed().toList());
            }
            assertEquals(theirs, ours, name);
            System.out.printf("%s: %d state-dict entries equal torchvision's%n", name, ours.size());
        }
    }

    @Test
    void parameterCountsEqualTorchvision() {
        List<String> all = new ArrayList<>(KEYED);
        all.addAll(COUNTED);
        for (String name : all) {
            assertEquals(reference.get(name).get("params").asLong(), Summary.of(Zoo.create(name)).totalParams(), name);
        }
    }

    record Result(int exit, String output) {}

    static Result run(List<String> cmd) throws IOException, InterruptedException {
        Path log = Files.createTempFile("torchvision", ".out");
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(false)
                    .redirectOutput(log.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            if (!p.waitFor(10, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new AssertionError("timed out: " + cmd);
            }
            return new Result(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(log);
        }
    }
}
