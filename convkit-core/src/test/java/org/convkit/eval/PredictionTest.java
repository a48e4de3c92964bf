package org.convkit.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.convkit.core.ConvkitException;
import org.convkit.core.Runtime;
import org.convkit.data.image.Pipeline;
import org.convkit.model.weights.Checkpoint;
import org.convkit.model.weights.ModelSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PredictionTest {
    @BeforeAll
    static void engine() {
        Runtime.init();
    }

    static List<List<String>> readCsv(String csv) throws Exception {
        try (MappingIterator<List<String>> it = new CsvMapper().enable(CsvParser.Feature.WRAP_AS_ARRAY)
                .readerForListOf(String.class).readValues(csv)) {
            return it.readAll();
        }
    }

    /** A folder of PNG and JPEG files, some nested, one not an image at all, in scrambled creation order. */
    static List<Path> folder(Path dir) throws Exception {
        Random rnd = new Random(5);
        List<Path> files = new ArrayList<>();
        for (String name : List.of("img_10.png", "img_02.jpg", "b.png", "a.jpg", "sub/z.png", "img_01.png")) {
            files.add(EvalFixtures.write(EvalFixtures.draw(rnd.nextInt(3), rnd), dir.resolve(name)));
        }
        Files.writeString(dir.resolve("broken.png"), "not an image");
        return files;
    }

    @Test
    void folderToCsvInSortedOrderWithTheNetworksLabels(@TempDir Path tmp) throws Exception {
        Path ckpt = EvalFixtures.lenetCheckpoint(tmp.resolve("ckpt"), EvalFixtures.SHAPES, 1, Map.of());
        Path in = tmp.resolve("in");
        List<Path> files = folder(in);
        StringWriter csv = new StringWriter();
        Prediction.Outcome out = Prediction.run(ModelSource.checkpoint(ckpt), in, csv,
                new Prediction.Options(4, "cpu", null, PredictionWriter.Format.PROBS, 3, 2));

        List<List<String>> rows = readCsv(csv.toString());
        assertEquals(List.of("id", "label", "prob", "circle", "square", "stripes"), rows.get(0));
        List<String> ids = rows.stream().skip(1).map(r -> r.get(0)).toList();
        // file names without extension, folders sorted then names sorted (torchvision's walk order)
        assertEquals(List.of("a", "b", "img_01", "img_02", "img_10", "sub/z"), ids);
        assertEquals(6, out.rows());
        assertEquals(1, out.skipped().size(), "the broken file is reported, not fatal");
        assertEquals("broken", out.skipped().get(0).id());

        // the same scores as decoding and running each file by hand
        Checkpoint.Manifest manifest = Checkpoint.read(ckpt);
        Pipeline pipeline = ModelInput.pipeline(manifest, null);
        try (NDManager m = NDManager.newBaseManager()) {
            var net = Checkpoint.load(ckpt, m).net();
            for (List<String> row : rows.subList(1, rows.size())) {
                Path file = files.stream().filter(f -> in.relativize(f).toString().replaceAll("\\.[a-z]+$", "").equals(row.get(0)))
                        .findFirst().orElseThrow();
                double[] p = Softmax.of(EvalFixtures.scoresOf(net, pipeline, file)[0], 0, 3);
                int best = Softmax.argmax(p);
                assertEquals(EvalFixtures.SHAPES.get(best), row.get(1), row.toString());
                assertEquals(p[best], Double.parseDouble(row.get(2)), 1e-5);
                double sum = 0;
                for (int j = 0; j < 3; j++) {
                    assertEquals(p[j], Double.parseDouble(row.get(3 + j)), 1e-5);
                    sum += Double.parseDouble(row.get(3 + j));
                }
                assertEquals(1.0, sum, 1e-5);
            }
        }
    }

    @Test
    void singleFileGivesTopK(@TempDir Path tmp) throws Exception {
        Path ckpt = EvalFixtures.lenetCheckpoint(tmp.resolve("ckpt"), EvalFixtures.SHAPES, 1, Map.of());
        Path img = EvalFixtures.write(EvalFixtures.draw(0, new Random(1)), tmp.resolve("one.jpg"));
        Prediction.Outcome out = Prediction.run(ModelSource.checkpoint(ckpt), img, null, new Prediction.Options(8, "cpu", null,
                PredictionWriter.Format.LABEL, 2, 0));
        assertEquals(1, out.topK().size());
        List<Scored> top = out.topK().get(0);
        assertEquals(2, top.size());
        assertTrue(top.get(0).probability() >= top.get(1).probability());
        Path broken = Files.writeString(tmp.resolve("broken.jpg"), "nope");
        ConvkitException e = assertThrows(ConvkitException.class, () -> Prediction.run(ModelSource.checkpoint(ckpt), broken, null,
                Prediction.Options.defaults()));
        assertTrue(e.getMessage().contains("broken.jpg"), e.getMessage());
    }

    @Test
    void sequenceModelsWriteTheDigitsWithoutBlanks() throws Exception {
        List<String> classes = List.of("0", "1", "2", "blank");
        StringWriter out = new StringWriter();
        try (PredictionWriter w = new PredictionWriter(out, PredictionWriter.Format.LABEL, classes, 3, 3)) {
            // image a: 2, 1, blank -> "21"; image b: blank, 0, blank -> "0"
            float[] h0 = {0, 0, 5, 0, 0, 0, 0, 5};
            float[] h1 = {0, 5, 0, 0, 5, 0, 0, 0};
            float[] h2 = {0, 0, 0, 5, 0, 0, 0, 5};
            w.add(new float[][] {h0, h1, h2}, new String[] {"a", "b"});
        }
        assertEquals(List.of(List.of("id", "label"), List.of("a", "21"), List.of("b", "0")), readCsv(out.toString()));
    }

    @Test
    void transformsThatDoNotFitTheNetworkAreRefused(@TempDir Path tmp) {
        Path ckpt = EvalFixtures.lenetCheckpoint(tmp.resolve("ckpt"), EvalFixtures.SHAPES, 1, Map.of());
        Checkpoint.Manifest m = Checkpoint.read(ckpt);
        ConvkitException e = assertThrows(ConvkitException.class, () -> ModelInput.pipeline(m, "resize=32,centercrop=32"));
        assertTrue(e.getMessage().contains("1x28x28") && e.getMessage().contains("centercrop=28"), e.getMessage());
        assertThrows(ConvkitException.class, () -> ModelInput.pipeline(m, "resize=28,centercrop=28,hflip"));
        // saved in the checkpoint by the trainer
        Path other = EvalFixtures.lenetCheckpoint(tmp.resolve("ckpt2"), EvalFixtures.SHAPES, 1,
                Map.of(ModelInput.EVAL_TRANSFORMS, "resize=28x28"));
        Pipeline p = ModelInput.pipeline(Checkpoint.read(other), null);
        assertTrue(p.spec().startsWith("resize=28x28"), p.spec());
        assertTrue(p.spec().contains("normalize"), "the checkpoint's normalization is applied: " + p.spec());
    }
}
