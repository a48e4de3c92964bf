package org.convkit.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.convkit.cli.CliRun;
import org.convkit.cli.Main;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code convkit spark} as the CLI finds it, and the mistakes it names before any Spark starts. */
class SparkCliTest {
    @Test
    void theCliFindsTheSparkCommandsAndTheirHelp() {
        CommandLine spark = Main.commandLine().getSubcommands().get("spark");
        assertEquals(java.util.Set.of("predict", "eval", "pack"), spark.getSubcommands().keySet());
        for (CommandLine c : spark.getSubcommands().values()) {
            StringWriter out = new StringWriter();
            c.usage(new PrintWriter(out));
            assertTrue(out.toString().contains("--master"), out.toString());
        }
        StringWriter predict = new StringWriter();
        spark.getSubcommands().get("predict").usage(new PrintWriter(predict));
        // the model options are the CLI's, declared once (ModelSourceArgs, ClassNamesArgs)
        for (String option : new String[] {"--checkpoint", "--model", "--weights", "--class-names", "--normalize"}) {
            assertTrue(predict.toString().contains(option), option);
        }
    }

    @Test
    void mistakesAreNamedBeforeSparkStarts() {
        CliRun format = CliRun.of("spark", "predict", "--checkpoint", "x", "--input", "in", "--out", "o",
                "--format", "xml");
        assertEquals(1, format.exit);
        assertTrue(format.err.contains("--format xml"), format.err);
        CliRun noModel = CliRun.of("spark", "predict", "--input", "in", "--out", "o");
        assertEquals(2, noModel.exit, "a usage error");
        assertTrue(noModel.err.contains("--checkpoint"), noModel.err);
        CliRun missing = CliRun.of("spark", "eval", "--checkpoint", "/no/such/run");
        assertEquals(1, missing.exit);
        assertTrue(missing.err.contains("/no/such/run"), missing.err);
    }

    /**
     * spark pack reads image files on the executors: raw pixels (IDX) and a shard folder are refused
     * before Spark starts (the --master given could not have started it), as is an existing --out.
     */
    @Test
    void sparkPackRefusesRawPixelsAndShardsBeforeSparkStarts(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp)
            throws Exception {
        assertTrue(org.apache.spark.sql.SparkSession.getDefaultSession().isEmpty()
                && org.apache.spark.sql.SparkSession.getActiveSession().isEmpty(), "no Spark session to join");
        // MNIST's format and name
        java.nio.file.Path idx = java.nio.file.Files.createDirectories(tmp.resolve("mnist"));
        java.nio.file.Files.write(idx.resolve("train-images-idx3-ubyte"),
                new byte[] {0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 2, 1, 2, 3, 4, 5, 6, 7, 8});
        java.nio.file.Files.write(idx.resolve("train-labels-idx1-ubyte"), new byte[] {0, 0, 8, 1, 0, 0, 0, 2, 0, 1});
        java.nio.file.Path shards = tmp.resolve("shards");
        CliRun pack = CliRun.of("data", "pack", idx.toString(), "--out", shards.toString());
        assertEquals(0, pack.exit, pack.err);
        for (java.nio.file.Path source : new java.nio.file.Path[] {idx, shards}) {
            CliRun r = CliRun.of("spark", "pack", source.toString(), "--out", tmp.resolve("out").toString(),
                    "--master", "no-such-master");
            assertEquals(1, r.exit, r.err);
            assertTrue(r.err.contains("not image files, which the Spark job reads on the executors"), source + ": " + r.err);
        }
        CliRun exists = CliRun.of("spark", "pack", idx.toString(), "--out", shards.toString(), "--master", "no-such-master");
        assertEquals(1, exists.exit, exists.err);
        assertTrue(exists.err.contains("already exists"), exists.err);
    }

    /** An exported .onnx file on --engine torch, or with --tta: refused by predict's rule, in predict's words. */
    @Test
    void anOnnxFileOnTheWrongEngineGetsPredictsRefusal(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp)
            throws Exception {
        java.nio.file.Path onnx = java.nio.file.Files.writeString(tmp.resolve("model.onnx"), "not read");
        java.nio.file.Path images = java.nio.file.Files.createDirectories(tmp.resolve("images"));
        for (String[] wrong : new String[][] {{"--engine", "torch"}, {"--engine", "onnx", "--tta", "flip"}}) {
            CliRun local = CliRun.of(java.util.stream.Stream.concat(java.util.stream.Stream.of("predict", "--checkpoint",
                    onnx.toString(), "--input", images.toString()), java.util.Arrays.stream(wrong)).toArray(String[]::new));
            CliRun spark = CliRun.of(java.util.stream.Stream.concat(java.util.stream.Stream.of("spark", "predict",
                    "--checkpoint", onnx.toString(), "--input", images.toString(), "--out", tmp.resolve("out").toString()),
                    java.util.Arrays.stream(wrong)).toArray(String[]::new));
            assertEquals(1, local.exit, local.err);
            assertEquals(1, spark.exit, spark.err);
            assertTrue(local.err.startsWith("error: "), local.err);
            assertEquals(local.err, spark.err, String.join(" ", wrong));
        }
    }

    /** spark eval needs what only a checkpoint holds: an exported file gets the message eval gives. */
    @Test
    void sparkEvalOfAnOnnxFileNamesTheCommandsThatRunIt(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp)
            throws Exception {
        java.nio.file.Path onnx = java.nio.file.Files.writeString(tmp.resolve("model.onnx"), "not read");
        CliRun r = CliRun.of("spark", "eval", "--checkpoint", onnx.toString());
        assertEquals(1, r.exit, r.err);
        assertTrue(r.err.contains("--checkpoint " + onnx + ": an ONNX file holds the network but not a convkit"
                + " checkpoint") && r.err.contains("predict, serve and spark predict run it"), r.err);
    }

    @Test
    void ttaIsTheCliOptionAndOnnxRuntimeRefusesIt() {
        CommandLine spark = Main.commandLine().getSubcommands().get("spark");
        for (String job : new String[] {"predict", "eval"}) {
            StringWriter help = new StringWriter();
            spark.getSubcommands().get(job).usage(new PrintWriter(help));
            assertTrue(help.toString().contains("--tta"), job + ": " + help);
        }
        CliRun bogus = CliRun.of("spark", "predict", "--checkpoint", "x", "--input", "in", "--out", "o", "--tta", "mirror");
        assertEquals(1, bogus.exit);
        assertTrue(bogus.err.contains("--tta mirror"), bogus.err);
        CliRun onnx = CliRun.of("spark", "predict", "--engine", "onnx", "--checkpoint", "model.onnx", "--input", "in",
                "--out", "o", "--tta", "flip");
        assertEquals(1, onnx.exit);
        assertTrue(onnx.err.contains("--tta flip: test-time augmentation runs on --engine torch"), onnx.err);
    }
}
