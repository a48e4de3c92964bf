package org.convkit.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.spark.sql.Row;
import org.convkit.cli.CliRun;
import org.apache.spark.sql.SparkSession;
import org.convkit.core.AtomicFiles;
import org.convkit.data.Sample;
import org.convkit.data.shard.Manifest;
import org.convkit.data.shard.ShardSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Spark jobs on Spark {@code local[2]} against the commands they stand for, on 300 real
 * CIFAR-10 JPEGs plus a truncated JPEG, a GIF and a text file: {@code spark predict} against
 * {@code predict}, {@code spark eval} against {@code eval}, {@code spark pack} against {@code data
 * pack} and {@code data verify}. One Spark session for the class (start-up costs seconds).
 */
@Tag("integration")
class SparkJobsIT {
    @TempDir
    static Path tmp;

    static SparkSession spark;
    static Path data;
    static Path images;
    static Path checkpoint;

    @BeforeAll
    static void setUp() throws Exception {
        data = SparkFixtures.cifarTest(tmp.resolve("cifar"), 30, 2);
        images = data.resolve("test");
        SparkFixtures.corrupt(images.resolve("cat/0000.jpg"), images.resolve("cat/broken.jpg"));
        SparkFixtures.gif(images.resolve("dog/0000.jpg"), images.resolve("dog/moving.gif"));
        Files.writeString(images.resolve("ship/notes.txt"), "not an image");
        checkpoint = SparkFixtures.checkpoint(tmp.resolve("ckpt"));
        spark = SparkFixtures.local2();
    }

    @AfterAll
    static void tearDown() {
        ExecutorModels.closeAll();
        if (spark != null) {
            spark.stop();
        }
    }

    /** convkit predict --format probs: id -> (label, probability). */
    private static Map<String, Object[]> convkitPredict(Path input, Path ckpt, String... more) throws Exception {
        Path csv = tmp.resolve("predict-" + System.nanoTime() + ".csv");
        List<String> args = new java.util.ArrayList<>(List.of("predict", "--checkpoint", ckpt.toString(), "--input",
                input.toString(), "--out", csv.toString(), "--format", "probs"));
        args.addAll(List.of(more));
        CliRun r = CliRun.of(args.toArray(String[]::new));
        assertEquals(0, r.exit, r.err);
        Map<String, Object[]> out = new TreeMap<>();
        List<String> lines = Files.readAllLines(csv);
        List<String> header = List.of(lines.get(0).split(","));
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(",");
            out.put(f[0], new Object[] {f[1], Double.parseDouble(f[header.indexOf("prob")])});
        }
        if (Files.exists(input.resolve("cat"))) {
            assertTrue(r.err.contains("broken"), "predict reports the truncated JPEG: " + r.err);
        }
        return out;
    }

    @Test
    void sparkPredictAnswersAsConvkitPredictWithTheBadImageInAnErrorRow() throws Exception {
        Map<String, Object[]> local = convkitPredict(images, checkpoint);
        assertEquals(300, local.size(), "300 JPEGs; the truncated one skipped, the GIF and text not images");

        Path out = tmp.resolve("spark-predict");
        CliRun r = CliRun.of("spark", "predict", "--master", "local[2]", "--checkpoint",
                checkpoint.toString(), "--input", images.toString(), "--out", out.toString(), "--partitions", "4",
                "--batch-size", "16");
        assertEquals(0, r.exit, r.err);
        assertTrue(r.out.contains("wrote 301 prediction(s)"), r.out);
        List<Row> rows = spark.read().parquet(out.toString()).collectAsList();
        assertEquals(301, rows.size());
        Set<String> seen = new TreeSet<>();
        for (Row row : rows) {
            String id = row.getAs("id");
            seen.add(id);
            if (id.equals("cat/broken")) {
                assertNull(row.getAs("label"));
                String error = row.getAs("error");
                assertNotNull(error);
                assertTrue(error.contains("truncated") || error.contains("decode"), error);
                continue;
            }
            assertNull(row.getAs("error"), id);
            Object[] expected = local.get(id);
            assertNotNull(expected, "convkit predict has " + id);
            assertEquals(expected[0], row.getAs("label"), id);
            assertEquals((double) expected[1], (double) row.getAs("probability"), 1e-5, id);
            List<Row> top = row.getList(row.fieldIndex("top_k"));
            assertEquals(5, top.size());
            assertEquals(expected[0], top.get(0).getString(0));
            assertTrue(((String) row.getAs("path")).startsWith("file:"), "the path is the file's URI");
        }
        Set<String> expectedIds = new TreeSet<>(local.keySet());
        expectedIds.add("cat/broken");
        assertEquals(expectedIds, seen, "the same files as predict's rule picks: no GIF, no text file");
    }

    @Test
    void anExportedOnnxFileRunsOnOnnxRuntimeAsConvkitPredictRunsIt() throws Exception {
        Path onnx = tmp.resolve("model.onnx");
        CliRun export = CliRun.of("export", "--checkpoint", checkpoint.toString(), "--out", onnx.toString());
        assertEquals(0, export.exit, export.err);
        Map<String, Object[]> local = convkitPredict(images, onnx, "--engine", "onnx");
        Path out = tmp.resolve("spark-predict-onnx");
        CliRun r = CliRun.of("spark", "predict", "--engine", "onnx", "--checkpoint", onnx.toString(),
                "--input", images.toString(), "--out", out.toString(), "--partitions", "3");
        assertEquals(0, r.exit, r.err);
        List<Row> rows = spark.read().parquet(out.toString()).collectAsList();
        assertEquals(301, rows.size());
        for (Row row : rows) {
            String id = row.getAs("id");
            if (!id.equals("cat/broken")) {
                assertEquals(local.get(id)[0], row.getAs("label"), id);
                assertEquals((double) local.get(id)[1], (double) row.getAs("probability"), 1e-5, id);
            }
        }
        CliRun torch = CliRun.of("spark", "predict", "--engine", "torch", "--checkpoint", onnx.toString(), "--input",
                images.toString(), "--out", tmp.resolve("never").toString());
        assertEquals(1, torch.exit);
        assertTrue(torch.err.contains("--engine onnx"), torch.err);
    }

    @Test
    void theModelIsLoadedOncePerExecutorJvmAcrossPartitionsAndStages() throws Exception {
        // a checkpoint of its own, so no earlier test has opened it in this JVM already
        Path ckpt = SparkFixtures.checkpoint(tmp.resolve("ckpt-count"));
        long before = ExecutorModels.loads();
        SparkModel model = SparkModel.checkpoint(ckpt).withBatchSize(8);
        ImageFiles.Listing listing = ImageFiles.list(images.toString(), spark.sparkContext().hadoopConfiguration());
        JobCounters first = JobCounters.register(spark.sparkContext());
        // 6 partitions on 2 cores: tasks run concurrently and one after another in the same JVM
        long n = SparkPrediction.predict(ImageFiles.frame(spark, listing, 6), model, 3, first).count();
        assertEquals(301, n);
        JobCounters second = JobCounters.register(spark.sparkContext());
        // a second job, with a shuffle: two more stages
        long labels = SparkPrediction.predict(ImageFiles.frame(spark, listing, 5), model, 1, second)
                .groupBy("label").count().count();
        assertTrue(labels >= 1);
        assertEquals(1, ExecutorModels.loads() - before, "one executor JVM (local[2]), one opening");
        assertEquals(1, first.modelLoads().value());
        assertEquals(0, second.modelLoads().value());
        assertEquals(301, first.images().value());
        assertEquals(1, first.failures().value());
    }

    @Test
    void binaryFileFramesAndCsvOutputGiveTheSameLabels() throws Exception {
        Map<String, Object[]> local = convkitPredict(images, checkpoint);
        // Spark's own binaryFile source: path + bytes; the path names the image
        var frame = spark.read().format("binaryFile").option("recursiveFileLookup", "true")
                .option("pathGlobFilter", "*.jpg").load(images.toString());
        List<Row> rows = SparkPrediction.predict(frame, SparkModel.checkpoint(checkpoint), 2).collectAsList();
        assertEquals(301, rows.size());
        int compared = 0;
        for (Row row : rows) {
            String path = row.getAs("path");
            String id = Path.of(java.net.URI.create(path)).toString().substring(images.toString().length() + 1)
                    .replaceAll("\\.jpg$", "");
            if (local.containsKey(id)) {
                assertEquals(local.get(id)[0], row.getAs("label"), id);
                assertEquals(2, row.getList(row.fieldIndex("top_k")).size());
                compared++;
            } else {
                assertEquals("cat/broken", id);
                assertNotNull(row.getAs("error"));
            }
            assertFalse(List.of(row.schema().fieldNames()).contains("content"), "the bytes are not carried along");
        }
        assertEquals(300, compared);

        Path out = tmp.resolve("spark-predict-csv");
        CliRun r = CliRun.of("spark", "predict", "--checkpoint", checkpoint.toString(), "--input",
                images + "/*", "--out", out.toString(), "--format", "csv", "--top-k", "3");
        assertEquals(0, r.exit, r.err);
        List<Row> csv = spark.read().option("header", "true").csv(out.toString()).collectAsList();
        assertEquals(301, csv.size());
        for (Row row : csv) {
            String id = row.getAs("id");
            if (!id.equals("cat/broken")) {
                assertEquals(local.get(id)[0], row.getAs("label"), "a glob's ids are relative to its folder: " + id);
                JsonNode top = new ObjectMapper().readTree((String) row.getAs("top_k"));
                assertEquals(3, top.size());
            }
        }
        CliRun again = CliRun.of("spark", "predict", "--checkpoint", checkpoint.toString(), "--input",
                images.toString(), "--out", out.toString());
        assertEquals(1, again.exit);
        assertTrue(again.err.contains("already exists"), again.err);
    }

    @Test
    void aMultiHeadModelGetsTopKPerPositionAndPredictsJoinedLabels() throws Exception {
        List<String> digits = List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "blank");
        Path ckpt = org.convkit.eval.EvalFixtures.lenetCheckpoint(tmp.resolve("ckpt-heads"), digits, 3,
                Map.of(org.convkit.eval.ModelInput.EVAL_TRANSFORMS, "resize=28,centercrop=28"));
        Path few = images.resolve("frog");
        Map<String, Object[]> local = convkitPredict(few, ckpt);
        ImageFiles.Listing listing = ImageFiles.list(few.toString(), spark.sparkContext().hadoopConfiguration());
        var out = SparkPrediction.predict(ImageFiles.frame(spark, listing, 2), SparkModel.checkpoint(ckpt), 3);
        assertEquals("array<array<struct<label:string,probability:double>>>",
                out.schema().apply("top_k").dataType().simpleString());
        List<Row> rows = out.collectAsList();
        assertEquals(local.size(), rows.size());
        for (Row row : rows) {
            String id = row.getAs("id");
            assertEquals(local.get(id)[0], row.getAs("label"), "the joined digits without blanks, as predict writes: " + id);
            assertEquals((double) local.get(id)[1], (double) row.getAs("probability"), 1e-5);
            List<Object> top = row.getList(row.fieldIndex("top_k"));
            assertEquals(3, top.size(), "one list per position");
            for (Object position : top) {
                assertEquals(3, ((scala.collection.Seq<?>) position).length(), "top-3 of each position");
            }
        }
    }

    @Test
    void sparkEvalEqualsConvkitEval() throws Exception {
        CliRun local = CliRun.of("eval", "--checkpoint", checkpoint.toString(), "--data", data.toString(),
                "--split", "test", "--json");
        assertEquals(0, local.exit, local.err);
        CliRun distributed = CliRun.of("spark", "eval", "--checkpoint", checkpoint.toString(), "--data",
                data.toString(), "--split", "test", "--json", "--partitions", "7", "--batch-size", "10");
        assertEquals(0, distributed.exit, distributed.err);
        ObjectMapper json = new ObjectMapper();
        JsonNode a = json.readTree(local.out);
        JsonNode b = json.readTree(distributed.out);
        JsonNode ra = a.get("result");
        JsonNode rb = b.get("result");
        assertEquals(300, ra.get("samples").asInt());
        assertEquals(ra.get("samples"), rb.get("samples"), "each image counted exactly once");
        assertEquals(ra.get("accuracy").asDouble(), rb.get("accuracy").asDouble(), 0);
        assertEquals(ra.get("top5").asDouble(), rb.get("top5").asDouble(), 0);
        assertEquals(ra.get("confusion"), rb.get("confusion"));
        assertEquals(ra.get("perClass"), rb.get("perClass"));
        assertEquals(ra.get("loss").asDouble(), rb.get("loss").asDouble(), 1e-6);
        assertEquals(ids(ra.get("mistakes")), ids(rb.get("mistakes")), "the same confident mistakes");
        assertEquals(1, a.get("skipped").size());
        assertEquals(a.get("skipped").get(0).get("id"), b.get("skipped").get(0).get("id"));
        assertEquals(a.get("transforms"), b.get("transforms"));
        assertEquals(a.get("data"), b.get("data"));
    }

    /** Shards are refused (the tasks read image files): before any line that says the evaluation started. */
    @Test
    void sparkEvalRefusesAShardFolderBeforeSayingItEvaluates() throws Exception {
        Path shards = tmp.resolve("shards-eval");
        CliRun pack = CliRun.of("data", "pack", data.toString(), "--out", shards.toString());
        assertEquals(0, pack.exit, pack.err);
        CliRun r = CliRun.of("spark", "eval", "--checkpoint", checkpoint.toString(), "--data", shards.toString(),
                "--split", "test");
        assertEquals(1, r.exit, r.err);
        assertTrue(r.err.contains("not image files, which the Spark job reads on the executors"), r.err);
        assertFalse(r.err.contains("evaluating "), "the refusal comes first, and alone: " + r.err);
    }

    @Test
    void ttaFlipGivesWhatConvkitPredictAndEvalGiveWithIt() throws Exception {
        Path cats = images.resolve("cat");
        Map<String, Object[]> plain = convkitPredict(cats, checkpoint);
        Map<String, Object[]> flipped = convkitPredict(cats, checkpoint, "--tta", "flip");
        Path out = tmp.resolve("spark-predict-tta");
        CliRun r = CliRun.of("spark", "predict", "--checkpoint", checkpoint.toString(), "--input", cats.toString(),
                "--out", out.toString(), "--partitions", "3", "--batch-size", "8", "--tta", "flip");
        assertEquals(0, r.exit, r.err);
        assertTrue(r.err.contains("--tta flip"), "the job says what it runs: " + r.err);
        int changed = 0;
        for (Row row : spark.read().parquet(out.toString()).collectAsList()) {
            String id = row.getAs("id");
            if (id.equals("broken")) {
                continue;
            }
            assertEquals(flipped.get(id)[0], row.getAs("label"), id);
            assertEquals((double) flipped.get(id)[1], (double) row.getAs("probability"), 1e-5, id);
            if (Math.abs((double) plain.get(id)[1] - (double) row.getAs("probability")) > 1e-3) {
                changed++;
            }
        }
        assertTrue(changed > 0, "--tta flip changes the probabilities: it is not ignored");

        CliRun local = CliRun.of("eval", "--checkpoint", checkpoint.toString(), "--data", data.toString(), "--split",
                "test", "--json", "--tta", "flip");
        assertEquals(0, local.exit, local.err);
        CliRun distributed = CliRun.of("spark", "eval", "--checkpoint", checkpoint.toString(), "--data",
                data.toString(), "--split", "test", "--json", "--partitions", "3", "--tta", "flip");
        assertEquals(0, distributed.exit, distributed.err);
        ObjectMapper json = new ObjectMapper();
        JsonNode ra = json.readTree(local.out).get("result");
        JsonNode rb = json.readTree(distributed.out).get("result");
        assertEquals(ra.get("samples"), rb.get("samples"));
        assertEquals(ra.get("accuracy").asDouble(), rb.get("accuracy").asDouble(), 0);
        assertEquals(ra.get("confusion"), rb.get("confusion"));
        assertEquals(ra.get("loss").asDouble(), rb.get("loss").asDouble(), 1e-6);
    }

    private static List<String> ids(JsonNode mistakes) {
        List<String> out = new java.util.ArrayList<>();
        mistakes.forEach(m -> out.add(m.get("id").asText()));
        return out;
    }

    @Test
    void sparkPackHoldsTheRecordsOfDataPackAndPassesVerify() throws Exception {
        Path a = tmp.resolve("shards-local");
        Path b = tmp.resolve("shards-spark");
        CliRun local = CliRun.of("data", "pack", data.toString(), "--out", a.toString());
        assertEquals(0, local.exit, local.err);
        CliRun distributed = CliRun.of("spark", "pack", data.toString(), "--out", b.toString(),
                "--partitions", "3");
        assertEquals(0, distributed.exit, distributed.err);
        CliRun verify = CliRun.of("data", "verify", b.toString());
        assertEquals(0, verify.exit, verify.out + verify.err);
        assertTrue(verify.out.startsWith("ok: 320 records"), verify.out);

        Manifest ma = Manifest.read(a);
        Manifest mb = Manifest.read(b);
        assertEquals(List.of("train", "test"), List.copyOf(mb.splits().keySet()));
        assertEquals(1, ma.splits().get("test").shards().size());
        assertEquals(3, mb.splits().get("test").shards().size(), "one shard per partition");
        assertEquals(List.of("test-00000.shard", "test-00001.shard", "test-00002.shard"),
                mb.splits().get("test").shards().stream().map(Manifest.ShardInfo::file).toList());
        assertArrayEquals(ma.splits().get("test").classCounts(), mb.splits().get("test").classCounts());
        assertEquals(ma.classes(), mb.classes());
        assertEquals(ma.channels(), mb.channels());
        assertEquals(ma.width(), mb.width());
        assertEquals(ma.skipped(), mb.skipped(), "the same files refused, with the same reasons");
        for (String split : List.of("train", "test")) {
            assertEquals(records(a, split), records(b, split), split + ": the same records (ids, labels, image bytes)");
        }
        assertEquals(20, records(b, "train").size());
        assertFalse(Files.exists(b.resolveSibling("." + b.getFileName() + ".new")), "no half-built folder left");
        try (var files = Files.list(b)) {
            assertTrue(files.noneMatch(f -> f.getFileName().toString().contains(".attempt-")), "no attempt file left");
        }
        AtomicFiles.deleteTree(a);
    }

    /** id -> labels and a hash of the image bytes, for every record of a split. */
    private static Map<String, String> records(Path shards, String split) throws Exception {
        Map<String, String> out = new HashMap<>();
        try (ShardSource s = ShardSource.open(shards, split)) {
            for (int i = 0; i < s.size(); i++) {
                Sample r = s.get(i);
                String hash = java.util.HexFormat.of().formatHex(
                        java.security.MessageDigest.getInstance("SHA-256").digest(r.encoded()));
                assertNull(out.put(r.id(), java.util.Arrays.toString(r.labels()) + " " + hash), "one record per id");
            }
        }
        return out;
    }
}
