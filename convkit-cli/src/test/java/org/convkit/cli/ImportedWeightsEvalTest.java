package org.convkit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.convkit.TorchPython;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A user's own PyTorch weights evaluated without a checkpoint: PyTorch trains d2l's LeNet (its
 * {@code nn.Sequential(Reshape(), ...)}, keys one off from convkit's) for an epoch on 20,000
 * Fashion-MNIST images and saves it in the legacy pre-1.6 format; {@code convkit eval --model
 * lenet --weights FILE} on the 10,000 test images gives the accuracy and loss PyTorch computed on
 * them, after importing the tensors by position and printing the mapping.
 */
@Tag("integration")
class ImportedWeightsEvalTest {
    static final Path FM = Path.of("/usr/share/datasets/fashion-mnist");

    @Test
    void evalOfD2lWeightsGivesPyTorchsAccuracy(@TempDir Path tmp) throws Exception {
        TorchPython.require();
        boolean data = Files.exists(FM.resolve("t10k-images-idx3-ubyte.gz"));
        if ("true".equals(System.getenv("CI"))) {
            Assertions.assertTrue(data, "CI=true and Debian's dataset-fashion-mnist is missing");
        }
        org.convkit.Needs.need(data, "Debian's Fashion-MNIST (apt-get install dataset-fashion-mnist)");
        TorchPython.script("weight_forms.py", "fashion", tmp.toString(), FM.toString());
        JsonNode torch = org.convkit.core.Json.mapper().readTree(tmp.resolve("d2l_lenet_fashion.json").toFile());

        CliRun r = CliRun.of("eval", "--model", "lenet", "--weights", tmp.resolve("d2l_lenet_fashion.pth").toString(),
                "--normalize", "none", "--data", FM.toString(), "--split", "test", "--json");
        assertEquals(0, r.exit, r.err);
        assertTrue(r.err.contains("matched by position") && r.err.contains("1.weight -> net.0.weight (6, 1, 5, 5)")
                && r.err.contains("12.bias -> net.11.bias (10)"), r.err);
        JsonNode ours = org.convkit.core.Json.mapper().readTree(r.out).get("result");
        long correct = Math.round(ours.get("accuracy").asDouble() * ours.get("samples").asLong());
        System.out.printf(Locale.ROOT, "d2l LeNet from PyTorch on the Fashion-MNIST test set: convkit eval %.4f (%d correct),"
                + " loss %.5f; PyTorch %.4f (%d), loss %.5f%n", ours.get("accuracy").asDouble(), correct,
                ours.get("loss").asDouble(), torch.get("accuracy").asDouble(), torch.get("correct").asLong(),
                torch.get("loss").asDouble());
        assertTrue(torch.get("accuracy").asDouble() > 0.5, "the PyTorch model learnt something: " + torch);
        assertEquals(10000, ours.get("samples").asInt());
        // the same predictions, but where two logits tie to float rounding
        assertTrue(Math.abs(correct - torch.get("correct").asLong()) <= 2, correct + " vs " + torch);
        assertEquals(torch.get("loss").asDouble(), ours.get("loss").asDouble(), 1e-4 * torch.get("loss").asDouble());
    }
}
