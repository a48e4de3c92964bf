package org.convkit.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.convkit.core.RunFiles;
import org.convkit.core.Runtime;
import org.convkit.data.Sample;
import org.convkit.data.fetch.Download;
import org.convkit.data.image.Decoder;
import org.convkit.model.ConvNet;
import org.convkit.model.ModelOptions;
import org.convkit.model.Summary;
import org.convkit.model.Zoo;
import org.convkit.model.weights.Checkpoint;
import org.convkit.model.weights.ModelInfo;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shared prediction API on libtorch: answers, bad images, batching, threads, the model card. */
class ClassifierTest {
    @BeforeAll
    static void engine() {
        Runtime.init();
    }

    /**
     * A small Conv-BN network (simplecnn 8,16 + fc 32 on 3x32x32) with random weights and
     * BatchNorm statistics far from the identity, so folding and eval mode matter.
     */
    static Path convBnCheckpoint(Path dir) {
        ConvNet net = Zoo.create("simplecnn", ModelOptions.defaults().withInput(3, 32, 32).withClasses(3)
                .withArch("8,16").withFc("32"));
        try (NDManager m = NDManager.newBaseManager()) {
            net.initialize(m);
            Random rnd = new Random(3);
            net.parametersByPath().forEach((path, p) -> {
                NDArray a = p.getArray();
                float[] v = new float[(int) a.size()];
                for (int i = 0; i < v.length; i++) {
                    v[i] = path.endsWith("running_var") ? 0.5f + rnd.nextFloat() : (float) rnd.nextGaussian() * 0.3f;
                }
                a.set(v);
            });
            Checkpoint.save(dir, net, new ModelInfo(EvalFixtures.SHAPES, new float[] {0.5f, 0.4f, 0.3f},
                    new float[] {0.25f, 0.2f, 0.3f}, Map.of(ModelInput.EVAL_TRANSFORMS, "resize=36,centercrop=32")), null);
        }
        return dir;
    }

    static List<Sample> images(int n, long seed) throws Exception {
        Random rnd = new Random(seed);
        List<Sample> out = new ArrayList<>();
        Path tmp = Files.createTempDirectory("classifier-test");
        for (int i = 0; i < n; i++) {
            Path f = EvalFixtures.write(EvalFixtures.draw(i % 3, rnd), tmp.resolve("img" + i + (i % 2 == 0 ? ".png" : ".jpg")));
            out.add(Sample.encoded("img" + i, Files.readAllBytes(f)));
        }
        return out;
    }

    /** A PNG header claiming 50000x50000 pixels: a decompression bomb's first bytes. */
    static byte[] pngBomb() {
        ByteBuffer b = ByteBuffer.allocate(33);
        b.put(new byte[] {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 'I', 'H', 'D', 'R'});
        b.putInt(50_000).putInt(50_000).put(new byte[] {8, 2, 0, 0, 0}).putInt(0);
        return b.array();
    }

    @Test
    void answersEveryImageBadOnesWithTheirReasonGoodOnesAsByHand(@TempDir Path tmp) throws Exception {
        Path ckpt = convBnCheckpoint(tmp.resolve("ckpt"));
        List<Sample> good = images(5, 1);
        byte[] jpeg = good.get(1).encoded();
        List<Sample> mixed = new ArrayList<>(good);
        mixed.add(1, Sample.encoded("text", "hello, not an image".getBytes()));
        mixed.add(3, Sample.encoded("empty", new byte[0]));
        mixed.add(Sample.encoded("bomb", pngBomb()));
        mixed.add(Sample.encoded("cut", Arrays.copyOf(jpeg, jpeg.length / 2)));
        try (TorchClassifier c = TorchClassifier.open(ckpt, new TorchClassifier.Options("cpu", null, 2))) {
            List<ImagePrediction> out = c.predict(mixed, 2);
            assertEquals(mixed.size(), out.size());
            for (int i = 0; i < mixed.size(); i++) {
                assertEquals(mixed.get(i).id(), out.get(i).id(), "answers come in input order");
            }
            assertEquals(ImagePrediction.Kind.NOT_AN_IMAGE, out.get(1).problem().kind());
            assertEquals(ImagePrediction.Kind.EMPTY, out.get(3).problem().kind());
            ImagePrediction bomb = out.get(mixed.size() - 2);
            assertEquals(ImagePrediction.Kind.TOO_LARGE, bomb.problem().kind());
            assertTrue(bomb.problem().message().contains("50000x50000"), bomb.problem().message());
            ImagePrediction cut = out.get(mixed.size() - 1);
            assertEquals(ImagePrediction.Kind.UNREADABLE, cut.problem().kind());
            assertTrue(cut.problem().message().contains("truncated"), cut.problem().message());
            assertFalse(cut.ok());
            assertNull(cut.label());
            // the raw scores behind the answers: one row per usable image, over several passes of 2
            Classifier.Scores scores = c.scores(mixed);
            List<Integer> usable = new ArrayList<>();
            for (int i = 0; i < out.size(); i++) {
                if (out.get(i).ok()) {
                    usable.add(i);
                }
                assertEquals(out.get(i).ok(), scores.problems()[i] == null);
            }
            assertEquals(usable, Arrays.stream(scores.scored()).boxed().toList());
            assertEquals(usable.size() * 3, scores.logits()[0].length);
            for (int j = 0; j < usable.size(); j++) {
                double[] p = Softmax.of(scores.logits()[0], j * 3, 3);
                assertEquals(out.get(usable.get(j)).probability(), p[Softmax.argmax(p)], 1e-12);
            }

            // the good ones: as decoding and running each by hand through the card's pipeline
            Checkpoint.Manifest manifest = Checkpoint.read(ckpt);
            try (NDManager m = NDManager.newBaseManager()) {
                ConvNet net = Checkpoint.load(ckpt, m).net();
                for (ImagePrediction p : out) {
                    if (!p.ok()) {
                        continue;
                    }
                    Path file = tmp.resolve(p.id() + ".img");
                    Files.write(file, good.stream().filter(s -> s.id().equals(p.id())).findFirst().orElseThrow().encoded());
                    double[] probs = Softmax.of(EvalFixtures.scoresOf(net, ModelInput.pipeline(manifest, null), file)[0], 0, 3);
                    int best = Softmax.argmax(probs);
                    assertEquals(EvalFixtures.SHAPES.get(best), p.label());
                    assertEquals(probs[best], p.probability(), 1e-5);
                    assertEquals(2, p.top().get(0).size());
                    assertEquals(p.label(), p.top().get(0).get(0).label());
                    assertTrue(p.top().get(0).get(0).probability() >= p.top().get(0).get(1).probability());
                }
            }
        }
    }

    @Test
    void anImageGetsTheSameAnswerAloneOrInABatchOnAnyThread(@TempDir Path tmp) throws Exception {
        Path ckpt = convBnCheckpoint(tmp.resolve("ckpt"));
        List<Sample> imgs = images(12, 2);
        try (TorchClassifier c = TorchClassifier.open(ckpt, new TorchClassifier.Options("cpu", null, 64))) {
            List<ImagePrediction> batched = c.predict(imgs, 3);
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                List<Future<ImagePrediction>> alone = new ArrayList<>();
                for (Sample s : imgs) {
                    alone.add(pool.submit(() -> c.predict(s, 3)));
                }
                for (int i = 0; i < imgs.size(); i++) {
                    ImagePrediction a = alone.get(i).get();
                    ImagePrediction b = batched.get(i);
                    assertEquals(b.label(), a.label());
                    for (int j = 0; j < 3; j++) {
                        assertEquals(b.top().get(0).get(j).label(), a.top().get(0).get(j).label());
                        assertEquals(b.top().get(0).get(j).probability(), a.top().get(0).get(j).probability(), 1e-5);
                    }
                }
            } finally {
                pool.shutdown();
            }
            // decoded pixels give what their encoded bytes give
            Sample decoded = Sample.decoded("px", Decoder.decode(imgs.get(4).encoded(), 3));
            assertEquals(batched.get(4).probability(), c.predict(decoded, 1).probability(), 1e-6);
        }
        // opened on a thread of its own (a Spark task, a server's worker): libtorch records
        // gradients there, which loading weights in place must not trip over
        ExecutorService other = Executors.newSingleThreadExecutor();
        try {
            ImagePrediction there = other.submit(() -> {
                try (TorchClassifier c = TorchClassifier.open(ckpt, TorchClassifier.Options.defaults())) {
                    return c.predict(imgs.get(4), 1);
                }
            }).get();
            assertEquals(c4(ckpt, imgs.get(4)), there.probability(), 1e-6);
        } finally {
            other.shutdown();
        }
        TorchClassifier closed = TorchClassifier.open(ckpt, TorchClassifier.Options.defaults());
        closed.close();
        closed.close(); // idempotent
        assertThrows(IllegalStateException.class, () -> closed.predict(imgs, 1));
    }

    /** The probability this thread's classifier gives an image. */
    private static double c4(Path ckpt, Sample image) {
        try (TorchClassifier c = TorchClassifier.open(ckpt, TorchClassifier.Options.defaults())) {
            return c.predict(image, 1).probability();
        }
    }

    @Test
    void theCardSaysWhatTheCheckpointIs(@TempDir Path tmp) throws Exception {
        Path ckpt = convBnCheckpoint(tmp.resolve("runs/shapes/checkpoints/best"));
        Files.writeString(tmp.resolve("runs/shapes").resolve(RunFiles.CONFIG), "{}");
        try (TorchClassifier c = TorchClassifier.open(tmp.resolve("runs/shapes"), TorchClassifier.Options.defaults())) {
            ModelCard card = c.card();
            assertEquals("shapes", card.name());
            assertEquals("simplecnn", card.architecture());
            assertEquals(EvalFixtures.SHAPES, card.classes());
            assertEquals("3x32x32", card.input());
            assertEquals(1, card.heads());
            assertArrayEquals(new float[] {0.5f, 0.4f, 0.3f}, card.mean());
            assertEquals("resize=36,centercrop=32", card.transforms());
            assertEquals(Summary.of(c.network()).totalParams(), card.parameters());
            assertEquals(Download.sha256(ckpt.resolve(Checkpoint.WEIGHTS)), card.weightsSha256());
            assertTrue(c.engine().startsWith("libtorch 2."), c.engine());
            // a --transforms override is checked against the input size
            assertEquals("resize=32x32", card.withTransforms("resize=32x32").transforms());
            assertThrows(org.convkit.core.ConvkitException.class, () -> card.withTransforms("resize=40"));
        }
    }

    @Test
    void sequenceModelsAnswerPerHeadAndTheJoinedDigits(@TempDir Path tmp) throws Exception {
        List<String> classes = List.of("0", "1", "2", "blank");
        Path ckpt = EvalFixtures.lenetCheckpoint(tmp.resolve("ckpt"), classes, 3, Map.of());
        try (TorchClassifier c = TorchClassifier.open(ckpt, TorchClassifier.Options.defaults())) {
            ImagePrediction p = c.predict(images(1, 4).get(0), 2);
            assertEquals(3, p.top().size(), "one top-k per head");
            StringBuilder digits = new StringBuilder();
            double product = 1;
            for (List<Scored> head : p.top()) {
                assertEquals(2, head.size());
                product *= head.get(0).probability();
                if (!head.get(0).label().equals("blank")) {
                    digits.append(head.get(0).label());
                }
            }
            assertEquals(digits.toString(), p.label());
            assertEquals(product, p.probability(), 1e-12);
        }
    }
}
