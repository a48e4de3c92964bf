package org.convkit.onnx;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.convkit.eval.TorchClassifier;
import org.convkit.model.ModelOptions;
import org.junit.jupiter.api.Test;

class ExportSmokeTest {
    @Test
    void smallNetworksMatch() {
        for (String arch : new String[] {"lenet", "simplecnn", "resnet18", "googlenet"}) {
            ModelOptions o = switch (arch) {
                case "lenet" -> ModelOptions.defaults().withInput(1, 28, 28).withClasses(10);
                case "simplecnn" -> ModelOptions.defaults().withInput(3, 32, 32).withClasses(5).withArch("8,16").withFc("32");
                default -> ModelOptions.defaults().withInput(3, 64, 64).withClasses(7);
            };
            try (TorchClassifier t = Models.random(arch, o, 1)) {
                byte[] model = OnnxExport.bytes(t, OnnxExport.Options.defaults());
                try (OnnxClassifier onnx = OnnxClassifier.open(model, arch, OnnxClassifier.Options.defaults())) {
                    int n = 3;
                    float[] x = new float[n * onnx.preprocessor().imageSize()];
                    SplittableRandom r = new SplittableRandom(3);
                    for (int i = 0; i < x.length; i++) {
                        x[i] = (float) r.nextGaussian();
                    }
                    double d = OnnxExport.relativeDiff(t.logits(x, n), onnx.logits(x, n));
                    System.out.println(arch + " " + d);
                    assertTrue(d < 1e-4, arch + " " + d);
                }
            }
        }
    }
}
