package org.convkit.onnx;

import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.convkit.eval.TorchClassifier;
import org.convkit.model.ModelOptions;
import org.convkit.model.Zoo;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every zoo family at its published size (and a multi-head model): exported with BatchNorm folded
 * and kept, loaded in ONNX Runtime with full graph optimization, its scores at batch 1 and 4 (the
 * dynamic batch) within 1e-4 of convkit's largest score on the same seeded input, and the file
 * accepted by the ONNX project's checker. A class of its own JVM: ONNX Runtime and libtorch are
 * native code, and a crash here should not take the other tests with it.
 */
@Tag("integration")
@Tag("own-jvm")
class ZooExportIT {
    @BeforeAll
    static void checker() {
        Required.onnxChecker();
    }

    static Stream<Arguments> zoo() {
        return Stream.of(
                Arguments.of("lenet", Zoo.get("lenet").defaults()),
                Arguments.of("alexnet", Zoo.get("alexnet").defaults()),
                Arguments.of("alexnet-d2l", Zoo.get("alexnet-d2l").defaults()),
                Arguments.of("vgg11_bn", Zoo.get("vgg11_bn").defaults()),
                Arguments.of("vgg", Zoo.get("vgg").defaults().withArch("1x16,1x32,2x64,2x128,2x128")),
                Arguments.of("nin", Zoo.get("nin").defaults()),
                Arguments.of("googlenet", Zoo.get("googlenet").defaults()),
                Arguments.of("googlenet-d2l", Zoo.get("googlenet-d2l").defaults()),
                Arguments.of("resnet18", Zoo.get("resnet18").defaults()),
                Arguments.of("resnet50", Zoo.get("resnet50").defaults()),
                Arguments.of("resnet9", Zoo.get("resnet9").defaults()),
                Arguments.of("resnet9", Zoo.get("resnet9").defaults().withInput(3, 64, 64).withStem("stride2").withPool("concat")),
                Arguments.of("simplecnn", Zoo.get("simplecnn").defaults()),
                // the seeds' own networks: BatchNorm1d after Linear, a biased 1x1 conv shortcut, six heads
                Arguments.of("lenet-bn", Zoo.get("lenet-bn").defaults()),
                Arguments.of("resnet18-d2l", Zoo.get("resnet18-d2l").defaults()),
                Arguments.of("svhn-cnn", Zoo.get("svhn-cnn").defaults()),
                Arguments.of("svhn-resnet18", Zoo.get("svhn-resnet18").defaults()),
                // a street-number reader: six heads of 11 classes over one backbone
                Arguments.of("simplecnn", ModelOptions.defaults().withInput(3, 64, 128).withClasses(11).withHeads(6)));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("zoo")
    void runsInOnnxRuntimeAsInConvkit(String arch, ModelOptions o) throws Exception {
        Path dir = Files.createTempDirectory("zoo-onnx");
        try (TorchClassifier t = Models.random(arch, o, 7)) {
            for (boolean fold : new boolean[] {true, false}) {
                Path file = OnnxExportTest.exportAndCompare(t, OnnxExport.Options.defaults().withFoldBatchNorm(fold), dir);
                assertNull(Required.check(file), arch);
                Files.delete(file);
            }
        } finally {
            Files.deleteIfExists(dir);
        }
    }
}
