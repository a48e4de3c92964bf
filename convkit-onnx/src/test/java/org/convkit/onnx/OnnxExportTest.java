package org.convkit.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Activation;
import ai.djl.nn.LambdaBlock;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.convkit.core.ConvkitException;
import org.convkit.eval.ModelCard;
import org.convkit.eval.TorchClassifier;
import org.convkit.model.Backbone;
import org.convkit.model.ConvNet;
import org.convkit.model.Init;
import org.convkit.model.ModelOptions;
import org.convkit.model.TorchKeys;
import org.convkit.model.layers.Layers;
import org.convkit.model.layers.Named;
import org.convkit.onnx.proto.Onnx;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Small networks of every kind of layer the exporter writes, run in ONNX Runtime (full graph
 * optimization) against convkit's own forward pass, each file also passed through the ONNX
 * project's checker; the model card in the metadata; what bad input gets. The zoo at full size is
 * {@link ZooExportIT}.
 */
class OnnxExportTest {

    /** Seeded normal values for n images of the classifier's input. */
    static float[] input(int n, int perImage, long seed) {
        float[] x = new float[n * perImage];
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        return x;
    }

    /**
     * Exports {@code source}, loads the file in ONNX Runtime and compares scores at batch 1 and 3.
     *
     * @return the file written
     */
    static Path exportAndCompare(TorchClassifier source, OnnxExport.Options o, Path dir) {
        Path file = dir.resolve(source.card().name() + (o.foldBatchNorm() ? "" : "-bn") + ".onnx");
        OnnxExport.Report r = OnnxExport.write(source, file, o.withCheck(false));
        assertTrue(Double.isNaN(r.maxRelativeDiff()));
        try (OnnxClassifier onnx = OnnxClassifier.open(file, OnnxClassifier.Options.defaults())) {
            for (int n : new int[] {1, 3}) {
                float[] x = input(n, onnx.preprocessor().imageSize(), n);
                double d = OnnxExport.relativeDiff(source.logits(x, n), onnx.logits(x, n));
                assertTrue(d <= OnnxExport.TOLERANCE, source.card().name() + " batch " + n + ": max |diff| / max |score| = " + d);
            }
        }
        return file;
    }

    @Test
    void everyKindOfLayerRunsInOnnxRuntimeAsInConvkit(@TempDir Path tmp) {
        Map<String, ModelOptions> nets = Map.of(
                // sigmoid, average pooling, Linear stack
                "lenet", ModelOptions.defaults().withInput(1, 28, 28).withClasses(10).withActivation("sigmoid"),
                // Conv + BatchNorm + ReLU + max pool, several heads
                "simplecnn", ModelOptions.defaults().withInput(3, 32, 32).withClasses(4).withArch("8,16").withFc("32").withHeads(3),
                // residual blocks with projection shortcuts, global average pool
                "resnet18", ModelOptions.defaults().withInput(3, 32, 32).withClasses(5).withStem("cifar").withWidthMultiplier(0.25),
                // a residual sum with no ReLU after it, global max and average pools concatenated (non-square input)
                "resnet9", ModelOptions.defaults().withInput(3, 32, 48).withClasses(5).withStem("stride2").withPool("concat")
                        .withWidthMultiplier(0.125),
                // Inception branches (Concat), ceil-mode max pools that hang over the edge
                "googlenet", ModelOptions.defaults().withInput(3, 64, 64).withClasses(6).withWidthMultiplier(0.25),
                // the adaptive 6x6 pool at a size it does not divide (63x63 -> 1x1 features -> 6x6)
                "alexnet", ModelOptions.defaults().withInput(3, 63, 63).withClasses(3).withWidthMultiplier(0.125));
        Required.onnxChecker();
        for (var e : nets.entrySet()) {
            try (TorchClassifier t = Models.random(e.getKey(), e.getValue(), 1)) {
                for (boolean fold : new boolean[] {true, false}) {
                    Path file = exportAndCompare(t, OnnxExport.Options.defaults().withFoldBatchNorm(fold), tmp);
                    assertNull(Required.check(file), e.getKey());
                }
            }
        }
    }

    /**
     * The seeds' own networks (issue 16): lenet-bn (BatchNorm1d after the hidden Linear layers),
     * resnet18-d2l (biased convs, a biased 1x1 conv shortcut without BatchNorm), svhn-cnn (six
     * heads); small inputs here, their published sizes in {@link ZooExportIT}.
     */
    @Test
    void theSeedNetworksExport(@TempDir Path tmp) {
        Map<String, ModelOptions> nets = Map.of(
                "lenet-bn", org.convkit.model.Zoo.get("lenet-bn").defaults(),
                "resnet18-d2l", org.convkit.model.Zoo.get("resnet18-d2l").defaults().withInput(1, 32, 32).withWidthMultiplier(0.25),
                "svhn-cnn", org.convkit.model.Zoo.get("svhn-cnn").defaults());
        Required.onnxChecker();
        for (var e : nets.entrySet()) {
            try (TorchClassifier t = Models.random(e.getKey(), e.getValue(), 6)) {
                for (boolean fold : new boolean[] {true, false}) {
                    Path file = exportAndCompare(t, OnnxExport.Options.defaults().withFoldBatchNorm(fold), tmp);
                    assertNull(Required.check(file), e.getKey());
                }
            }
        }
    }

    @Test
    void theFileSaysWhatAConsumerNeeds(@TempDir Path tmp) throws Exception {
        ModelOptions o = ModelOptions.defaults().withInput(3, 32, 32).withClasses(4).withArch("8").withFc("").withHeads(2);
        try (TorchClassifier t = Models.random("simplecnn", o, 2)) {
            Path file = tmp.resolve("m.onnx");
            OnnxExport.Report r = OnnxExport.write(t, file, OnnxExport.Options.defaults());
            assertTrue(r.maxRelativeDiff() <= OnnxExport.TOLERANCE, r.describe());
            assertEquals(1, r.foldedBatchNorms());
            Onnx.ModelProto m = Onnx.ModelProto.parseFrom(Files.readAllBytes(file));
            assertEquals(8, m.getIrVersion());
            assertEquals(17, m.getOpsetImport(0).getVersion());
            assertEquals("convkit", m.getProducerName());
            // no training-only nodes, BatchNorm folded away
            for (Onnx.NodeProto n : m.getGraph().getNodeList()) {
                assertTrue(!n.getOpType().equals("Dropout") && !n.getOpType().equals("BatchNormalization"), n.getOpType());
            }
            try (OnnxClassifier onnx = OnnxClassifier.open(file, OnnxClassifier.Options.defaults())) {
                ModelCard read = onnx.card();
                assertEquals(t.card(), read, "the model card comes back whole");
                assertEquals(0, onnx.fixedBatch());
                assertTrue(onnx.engine().startsWith("ONNX Runtime 1.22"), onnx.engine());
            }
            try (OrtSession s = OnnxClassifier.environment().createSession(file.toString())) {
                assertEquals(List.of("image"), List.copyOf(s.getInputInfo().keySet()));
                assertEquals(List.of(-1L, 3L, 32L, 32L), box(((TensorInfo) s.getInputInfo().get("image").getInfo()).getShape()));
                assertEquals(List.of("logits_0", "logits_1"), List.copyOf(s.getOutputInfo().keySet()));
                assertEquals(List.of(-1L, 4L), box(((TensorInfo) s.getOutputInfo().get("logits_1").getInfo()).getShape()));
                Map<String, String> meta = s.getMetadata().getCustomMetadata();
                assertEquals("[\"c0\",\"c1\",\"c2\",\"c3\"]", meta.get(OnnxMetadata.CLASSES));
                assertEquals("3x32x32", meta.get(OnnxMetadata.INPUT));
                assertEquals("[0.5]", meta.get(OnnxMetadata.MEAN));
                assertEquals("resize=32x32", meta.get(OnnxMetadata.EVAL_TRANSFORMS));
                assertEquals("dev", meta.get(OnnxMetadata.EXPORTED_WITH));
            }
        }
    }

    @Test
    void anImageGetsTheSameAnswerAloneOrInABatchOnAnyThread(@TempDir Path tmp) throws Exception {
        ModelOptions o = ModelOptions.defaults().withInput(3, 32, 32).withClasses(3).withArch("8,16").withFc("32");
        java.util.Random rnd = new java.util.Random(12);
        List<org.convkit.data.Sample> images = new java.util.ArrayList<>();
        for (int i = 0; i < 10; i++) {
            Path f = org.convkit.eval.EvalFixtures.write(org.convkit.eval.EvalFixtures.draw(i % 3, rnd), tmp.resolve(i + ".png"));
            images.add(org.convkit.data.Sample.encoded("i" + i, Files.readAllBytes(f)));
        }
        try (TorchClassifier t = Models.random("simplecnn", o, 12);
                OnnxClassifier onnx = OnnxClassifier.open(OnnxExport.bytes(t, OnnxExport.Options.defaults()), "m",
                        OnnxClassifier.Options.defaults())) {
            List<org.convkit.eval.ImagePrediction> batched = onnx.predict(images, 3);
            List<org.convkit.eval.ImagePrediction> torch = t.predict(images, 3);
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
            try {
                List<java.util.concurrent.Future<org.convkit.eval.ImagePrediction>> alone = new java.util.ArrayList<>();
                for (org.convkit.data.Sample s : images) {
                    alone.add(pool.submit(() -> onnx.predict(s, 3)));
                }
                for (int i = 0; i < images.size(); i++) {
                    org.convkit.eval.ImagePrediction a = alone.get(i).get();
                    for (org.convkit.eval.ImagePrediction other : List.of(batched.get(i), torch.get(i))) {
                        assertEquals(other.label(), a.label());
                        for (int j = 0; j < 3; j++) {
                            assertEquals(other.top().get(0).get(j).label(), a.top().get(0).get(j).label());
                            assertEquals(other.top().get(0).get(j).probability(), a.top().get(0).get(j).probability(), 1e-5);
                        }
                    }
                }
            } finally {
                pool.shutdown();
            }
        }
    }

    @Test
    void aFixedBatchFileRunsAnyNumberOfImages(@TempDir Path tmp) {
        ModelOptions o = ModelOptions.defaults().withInput(1, 28, 28).withClasses(10);
        try (TorchClassifier t = Models.random("lenet", o, 3)) {
            Path file = tmp.resolve("b2.onnx");
            OnnxExport.write(t, file, OnnxExport.Options.defaults().withBatch(2));
            try (OnnxClassifier onnx = OnnxClassifier.open(file, OnnxClassifier.Options.defaults())) {
                assertEquals(2, onnx.fixedBatch());
                float[] x = input(5, 28 * 28, 9);
                assertTrue(OnnxExport.relativeDiff(t.logits(x, 5), onnx.logits(x, 5)) <= OnnxExport.TOLERANCE);
            }
        }
    }

    @Test
    void otherOpsetsExportWhereONNXRuntimeRunsThem(@TempDir Path tmp) {
        ModelOptions o = ModelOptions.defaults().withInput(3, 32, 32).withClasses(4).withArch("8,16").withFc("16");
        try (TorchClassifier t = Models.random("simplecnn", o, 4)) {
            for (int opset : new int[] {13, 21, 22}) {
                OnnxExport.Report r = OnnxExport.write(t, tmp.resolve(opset + ".onnx"), OnnxExport.Options.defaults().withOpset(opset));
                assertTrue(r.maxRelativeDiff() <= OnnxExport.TOLERANCE, opset + ": " + r.describe());
            }
            // opset 23 needs IR version 11, which ONNX Runtime 1.22 does not read: refused, nothing written
            ConvkitException refused = assertThrows(ConvkitException.class,
                    () -> OnnxExport.write(t, tmp.resolve("23.onnx"), OnnxExport.Options.defaults().withOpset(23)));
            assertTrue(refused.getMessage().contains("opset 23") && refused.getMessage().contains("IR version")
                    && refused.getMessage().contains("nothing was written"), refused.getMessage());
            assertTrue(!Files.exists(tmp.resolve("23.onnx")));
            ConvkitException e = assertThrows(ConvkitException.class, () -> OnnxExport.Options.defaults().withOpset(12));
            assertTrue(e.getMessage().contains("--opset 12"), e.getMessage());
            assertThrows(ConvkitException.class, () -> OnnxExport.Options.defaults().withOpset(99));
        }
    }

    @Test
    void anUnsupportedLayerIsNamedWithItsModel() {
        ModelOptions o = ModelOptions.defaults().withInput(1, 8, 8).withClasses(2);
        Backbone backbone = new Backbone()
                .add("features", new Named().add("conv", Layers.conv(4, 3, 1, 1)).add("gelu", new LambdaBlock(x -> new ai.djl.ndarray.NDList(Activation.gelu(x.singletonOrThrow())))))
                .add("flatten", Layers.flatten());
        ConvNet net = new ConvNet("my-net", o, backbone, Layers::linear, TorchKeys.of(), Init.torchDefault());
        org.convkit.core.Runtime.init();
        try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
            net.initialize(m);
            ModelCard card = new ModelCard("mine", "my-net", List.of("a", "b"), 1, 1, 8, 8, new float[] {0}, new float[] {1},
                    "resize=8x8", 0, "", "dev");
            TorchClassifier t = new TorchClassifier(net, card, Device.cpu(), 8, null);
            ConvkitException e = assertThrows(ConvkitException.class, () -> OnnxExport.bytes(t, OnnxExport.Options.defaults()));
            assertTrue(e.getMessage().contains("my-net") && e.getMessage().contains("LambdaBlock")
                    && e.getMessage().contains("backbone.features.gelu"), e.getMessage());
            t.close();
        }
    }

    @Test
    void filesThatAreNotConvkitExportsGetAClearError(@TempDir Path tmp) throws Exception {
        Path text = Files.writeString(tmp.resolve("notes.onnx"), "not a model");
        ConvkitException e = assertThrows(ConvkitException.class, () -> OnnxClassifier.open(text, OnnxClassifier.Options.defaults()));
        assertTrue(e.getMessage().contains("notes.onnx") && e.getMessage().contains("not an ONNX model"), e.getMessage());
        e = assertThrows(ConvkitException.class, () -> OnnxClassifier.open(tmp.resolve("missing.onnx"), OnnxClassifier.Options.defaults()));
        assertTrue(e.getMessage().contains("no such ONNX file"), e.getMessage());

        ModelOptions o = ModelOptions.defaults().withInput(1, 28, 28).withClasses(10);
        try (TorchClassifier t = Models.random("lenet", o, 5)) {
            Onnx.ModelProto m = Onnx.ModelProto.parseFrom(OnnxExport.bytes(t, OnnxExport.Options.defaults()));
            // someone else's model: a valid graph, no model card
            Path foreign = tmp.resolve("foreign.onnx");
            Files.write(foreign, m.toBuilder().clearMetadataProps().build().toByteArray());
            e = assertThrows(ConvkitException.class, () -> OnnxClassifier.open(foreign, OnnxClassifier.Options.defaults()));
            assertTrue(e.getMessage().contains("foreign.onnx") && e.getMessage().contains("without convkit's model card"), e.getMessage());
            // a card that does not describe the graph's input (edited after export)
            Onnx.ModelProto.Builder b = m.toBuilder();
            b.getGraphBuilder().getInputBuilder(0).getTypeBuilder().getTensorTypeBuilder().getShapeBuilder()
                    .getDimBuilder(1).setDimValue(3);
            Path edited = tmp.resolve("edited.onnx");
            Files.write(edited, b.build().toByteArray());
            e = assertThrows(ConvkitException.class, () -> OnnxClassifier.open(edited, OnnxClassifier.Options.defaults()));
            assertTrue(e.getMessage().contains("edited.onnx"), e.getMessage());
        }
    }

    private static List<Long> box(long[] a) {
        return Arrays.stream(a).boxed().toList();
    }
}
