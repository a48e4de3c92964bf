package org.convkit.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.convkit.TestPaths;
import org.convkit.core.Npy;
import org.convkit.core.Runtime;
import org.convkit.eval.ModelCard;
import org.convkit.eval.TorchClassifier;
import org.convkit.model.ConvNet;
import org.convkit.model.Zoo;
import org.convkit.model.weights.Weights;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * PyTorch's own exporter as the reference: torch 1.13's {@code torch.onnx.export} of torchvision's
 * resnet18 and convkit's export of the same weights (imported from the state dict torch saved)
 * give the same scores in ONNX Runtime, and both give torch's eager scores.
 */
@Tag("integration")
@Tag("own-jvm")
class TorchOnnxExportIT {
    @Test
    void convkitsExportOfTorchvisionWeightsMatchesTorchsOwn(@TempDir Path tmp) throws Exception {
        Required.torchvision();
        Path script = TestPaths.repo().resolve("convkit-onnx/src/test/python/torch_onnx_export.py");
        Required.Result made = Required.run(List.of(Required.PYTHON.toString(), script.toString(), tmp.toString()));
        assertEquals(0, made.exit(), made.output());

        Runtime.init();
        float[] x;
        float[] torchEager;
        try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
            x = Npy.readFloat32(tmp.resolve("resnet18.x.npy"), "x", m).toFloatArray();
            torchEager = Npy.readFloat32(tmp.resolve("resnet18.y.npy"), "y", m).toFloatArray();
        }
        int n = 2; // torch_weights.py fidelity's batch
        ConvNet net = Zoo.create("resnet18", Zoo.get("resnet18").defaults());
        NDManager owner = NDManager.newBaseManager(Device.cpu());
        net.initialize(owner);
        Weights.load(net, tmp.resolve("resnet18.pth"), false);
        List<String> classes = IntStream.range(0, 1000).mapToObj(String::valueOf).toList();
        ModelCard card = new ModelCard("torchvision-resnet18", "resnet18", classes, 1, 3, 224, 224,
                new float[] {0.485f, 0.456f, 0.406f}, new float[] {0.229f, 0.224f, 0.225f}, "resize=256,centercrop=224",
                TorchClassifier.parameters(net), "", "dev");
        assertEquals(11_689_512L, card.parameters(), "torchvision's published parameter count");
        float[] convkitOnnx;
        try (TorchClassifier source = new TorchClassifier(net, card, Device.cpu(), 8, owner)) {
            Path ours = tmp.resolve("resnet18.convkit.onnx");
            OnnxExport.write(source, ours, OnnxExport.Options.defaults());
            try (OnnxClassifier onnx = OnnxClassifier.open(ours, OnnxClassifier.Options.defaults())) {
                convkitOnnx = onnx.logits(x, n)[0];
            }
        }
        float[] torchOnnx;
        try (OrtSession.SessionOptions so = OnnxClassifier.sessionOptions(0);
                OrtSession s = OnnxClassifier.environment().createSession(tmp.resolve("resnet18.torch.onnx").toString(), so);
                OnnxTensor in = OnnxTensor.createTensor(OnnxClassifier.environment(), FloatBuffer.wrap(x), new long[] {n, 3, 224, 224});
                OrtSession.Result r = s.run(Map.of("input", in))) {
            FloatBuffer b = ((OnnxTensor) r.get("output").orElseThrow()).getFloatBuffer();
            torchOnnx = new float[b.remaining()];
            b.get(torchOnnx);
        }
        double convkitVsTorchOnnx = OnnxExport.relativeDiff(new float[][] {torchOnnx}, new float[][] {convkitOnnx});
        double convkitVsEager = OnnxExport.relativeDiff(new float[][] {torchEager}, new float[][] {convkitOnnx});
        double torchOnnxVsEager = OnnxExport.relativeDiff(new float[][] {torchEager}, new float[][] {torchOnnx});
        System.out.printf("resnet18 in ONNX Runtime: convkit's export vs torch's %.2e, vs torch eager %.2e;"
                + " torch's export vs eager %.2e (max |diff| / max |logit|)%n", convkitVsTorchOnnx, convkitVsEager, torchOnnxVsEager);
        assertTrue(convkitVsTorchOnnx <= 1e-4, "convkit's export vs torch's: " + convkitVsTorchOnnx);
        assertTrue(convkitVsEager <= 1e-4, "convkit's export vs torch eager: " + convkitVsEager);
        assertTrue(Files.size(tmp.resolve("resnet18.convkit.onnx")) > 40_000_000L);
    }
}
