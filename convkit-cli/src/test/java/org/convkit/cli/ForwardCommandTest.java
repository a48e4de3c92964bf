package org.convkit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.convkit.core.Npy;
import org.convkit.core.Runtime;
import org.convkit.eval.Evaluator;
import org.convkit.model.ConvNet;
import org.convkit.model.ModelOptions;
import org.convkit.model.Zoo;
import org.convkit.model.weights.Weights;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `convkit forward` and `convkit export-weights` on a small network, good and bad input. */
class ForwardCommandTest {
    static final String[] SMALL = {"forward", "--model", "resnet18", "--stem", "cifar", "--width", "0.25", "--classes", "3"};

    @TempDir
    Path tmp;

    @BeforeAll
    static void engine() {
        Runtime.init();
    }

    record Result(int code, String err) {}

    static Result cli(String... args) {
        PrintStream old = System.err;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            return new Result(Main.run(args), buf.toString(StandardCharsets.UTF_8));
        } finally {
            System.setErr(old);
        }
    }

    static String[] args(String[] base, String... more) {
        List<String> a = new ArrayList<>(Arrays.asList(base));
        a.addAll(Arrays.asList(more));
        return a.toArray(String[]::new);
    }

    static ModelOptions small(int heads) {
        return ModelOptions.defaults().withInput(3, 32, 32).withClasses(3).withStem("cifar").withWidthMultiplier(0.25)
                .withHeads(heads);
    }

    /** Exports a small network's weights and a random batch; returns the expected logits. */
    NDList prepare(NDManager m, int heads, Path weights, Path x) throws IOException {
        ConvNet net = Zoo.create("resnet18", small(heads)).initialize(m);
        Weights.exportTorch(net, weights);
        NDArray input = m.randomNormal(new Shape(5, 3, 32, 32));
        Npy.write(x, input);
        return new Evaluator(net, m.getDevice()).logits(input, 2, m);
    }

    @Test
    void forwardWritesTheSameLogitsAsTheLibrary() throws IOException {
        Path w = tmp.resolve("w.safetensors");
        Path x = tmp.resolve("x.npy");
        Path y = tmp.resolve("y.npy");
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray expected = prepare(m, 1, w, x).singletonOrThrow();
            Result r = cli(args(SMALL, "--weights", w.toString(), "--input", x.toString(), "--out", y.toString(),
                    "--batch-size", "3"));
            assertEquals(0, r.code(), r.err());
            NDArray got = Npy.readFloat32(y, "y", m);
            assertEquals(new Shape(5, 3), got.getShape());
            assertTrue(got.allClose(expected, 1e-5, 1e-6, false), r.err());
        }
    }

    @Test
    void severalHeadsStackInNpyAndNameEntriesInNpz() throws IOException {
        Path w = tmp.resolve("w.safetensors");
        Path x = tmp.resolve("x.npy");
        try (NDManager m = NDManager.newBaseManager()) {
            NDList expected = prepare(m, 2, w, x);
            Path npy = tmp.resolve("y.npy");
            Path npz = tmp.resolve("y.npz");
            // head 1 has no torchvision name: the export keeps its convkit path, which loads back
            assertEquals(0, cli(args(SMALL, "--heads", "2", "--weights", w.toString(), "--input", x.toString(),
                    "--out", npy.toString())).code());
            NDArray stacked = Npy.readFloat32(npy, "y", m);
            assertEquals(new Shape(2, 5, 3), stacked.getShape());
            assertTrue(stacked.get(1).allClose(expected.get(1), 1e-5, 1e-6, false));
            assertEquals(0, cli(args(SMALL, "--heads", "2", "--weights", w.toString(), "--input", x.toString(),
                    "--out", npz.toString())).code());
            NDList entries = NDList.decode(m, Files.readAllBytes(npz));
            assertTrue(entries.get("head0").allClose(expected.get(0), 1e-5, 1e-6, false));
            assertTrue(entries.get("head1").allClose(expected.get(1), 1e-5, 1e-6, false));
        }
    }

    @Test
    void badInputsAreNamedWithoutAStackTrace() throws IOException {
        Path w = tmp.resolve("w.safetensors");
        Path x = tmp.resolve("x.npy");
        try (NDManager m = NDManager.newBaseManager()) {
            prepare(m, 1, w, x);
            Path ints = tmp.resolve("ints.npy");
            Npy.write(ints, m.zeros(new Shape(1, 3, 32, 32), DataType.INT32));
            Path half = tmp.resolve("half.npy");
            byte[] b = Files.readAllBytes(x);
            Files.write(half, Arrays.copyOf(b, b.length / 2));
            Path cut = tmp.resolve("cut.safetensors");
            byte[] wb = Files.readAllBytes(w);
            Files.write(cut, Arrays.copyOf(wb, wb.length - 100));
            Path out = tmp.resolve("y.npy");

            expectError(cli(args(SMALL, "--input", ints.toString(), "--out", out.toString())), ints + ": holds <i4");
            expectError(cli(args(SMALL, "--input", half.toString(), "--out", out.toString())), "truncated");
            expectError(cli(args(SMALL, "--weights", cut.toString(), "--input", x.toString(), "--out", out.toString())),
                    cut.toString());
            expectError(cli("forward", "--model", "resnet81", "--input", x.toString(), "--out", out.toString()),
                    "Known models: ");
            expectError(cli(args(SMALL, "--input", x.toString(), "--out", tmp.resolve("y.txt").toString())), "*.npy");
            String[] sevenClasses = String.join(" ", SMALL).replace("--classes 3", "--classes 7").split(" ");
            expectError(cli(args(sevenClasses, "--weights", w.toString(), "--input", x.toString(), "--out",
                    out.toString())), "--classes 3");
            assertTrue(Files.notExists(out), "nothing is written when the command fails");
        }
    }

    private static void expectError(Result r, String text) {
        assertEquals(1, r.code(), r.err());
        assertTrue(r.err().contains("error: ") && r.err().contains(text), r.err());
        assertTrue(!r.err().contains("\tat "), "no stack trace: " + r.err());
    }

    @Test
    void exportWeightsFromACheckpointDirectory() throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            ConvNet net = Zoo.create("resnet18", small(1)).initialize(m);
            Path ck = tmp.resolve("ck");
            org.convkit.model.weights.Checkpoint.save(ck, net, org.convkit.model.weights.ModelInfo.empty(), null);
            Path out = tmp.resolve("export.safetensors");
            String[] model = Arrays.copyOfRange(SMALL, 1, SMALL.length);
            Result r = cli(args(args(new String[] {"export-weights"}, model), "--weights", ck.toString(), "--out",
                    out.toString()));
            assertEquals(0, r.code(), r.err());
            ConvNet back = Zoo.create("resnet18", small(1)).initialize(m);
            assertTrue(Weights.load(back, out, false).complete());
            assertTrue(back.parametersByPath().get("head.0.weight").getArray()
                    .contentEquals(net.parametersByPath().get("head.0.weight").getArray()));
        }
    }
}
