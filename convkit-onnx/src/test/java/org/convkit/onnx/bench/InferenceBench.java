package org.convkit.onnx.bench;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.convkit.core.Runtime;
import org.convkit.eval.Classifier;
import org.convkit.eval.TorchClassifier;
import org.convkit.model.ConvNet;
import org.convkit.model.ModelOptions;
import org.convkit.model.Zoo;
import org.convkit.model.weights.Checkpoint;
import org.convkit.model.weights.ModelInfo;
import org.convkit.onnx.OnnxClassifier;
import org.convkit.onnx.OnnxExport;

/**
 * The driver of bench/inference.sh: network inference (prepared batches in, scores out; no
 * decoding) through the shared {@link Classifier} API, libtorch or ONNX Runtime, one engine per
 * process.
 *
 * <pre>
 * InferenceBench prepare DIR               checkpoints with seeded random weights, and their exports:
 *                                          DIR/resnet18 (3x224x224, 1000 classes), DIR/fashion (the
 *                                          main job's simplecnn --arch 32,64 --fc 128, 1x28x28);
 *                                          DIR/NAME.onnx (BatchNorm folded), DIR/NAME-bn.onnx (kept)
 * InferenceBench run ENGINE MODEL BATCH SECONDS THREADS
 *                                          ENGINE torch (MODEL = a checkpoint) or onnx (a file);
 *                                          warms up, then runs batches for SECONDS (at least 3) and
 *                                          prints "img_s=... ms_per_batch=..."
 * </pre>
 */
public final class InferenceBench {
    private InferenceBench() {}

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "prepare" -> prepare(Path.of(args[1]));
            case "run" -> run(args[1], Path.of(args[2]), Integer.parseInt(args[3]), Double.parseDouble(args[4]),
                    Integer.parseInt(args[5]));
            default -> throw new IllegalArgumentException("prepare DIR | run ENGINE MODEL BATCH SECONDS THREADS");
        }
    }

    static void prepare(Path dir) throws Exception {
        Runtime.init();
        Map<String, ModelOptions> models = Map.of(
                "resnet18", Zoo.get("resnet18").defaults(),
                "fashion", ModelOptions.defaults().withInput(1, 28, 28).withClasses(10).withArch("32,64").withFc("128"));
        for (var e : models.entrySet()) {
            String arch = e.getKey().equals("fashion") ? "simplecnn" : e.getKey();
            Path ckpt = dir.resolve(e.getKey());
            if (!Checkpoint.exists(ckpt)) {
                ConvNet net = Zoo.create(arch, e.getValue());
                try (NDManager m = NDManager.newBaseManager()) {
                    net.initialize(m);
                    Random rnd = new Random(1);
                    // BatchNorm statistics away from 0/1, as a trained network's are
                    net.parametersByPath().forEach((path, p) -> {
                        if (path.endsWith("running_var") || path.endsWith("running_mean")) {
                            float[] v = new float[(int) p.getArray().size()];
                            for (int i = 0; i < v.length; i++) {
                                v[i] = path.endsWith("running_var") ? 0.5f + rnd.nextFloat() : (float) rnd.nextGaussian() * 0.1f;
                            }
                            p.getArray().set(v);
                        }
                    });
                    List<String> classes = IntStream.range(0, e.getValue().classes()).mapToObj(i -> "c" + i).toList();
                    Checkpoint.save(ckpt, net, ModelInfo.of(classes, null, null), null);
                }
            }
            try (TorchClassifier t = TorchClassifier.open(ckpt, TorchClassifier.Options.defaults())) {
                OnnxExport.write(t, dir.resolve(e.getKey() + ".onnx"), OnnxExport.Options.defaults());
                OnnxExport.write(t, dir.resolve(e.getKey() + "-bn.onnx"), OnnxExport.Options.defaults().withFoldBatchNorm(false));
            }
            System.err.println("prepared " + ckpt + " and its ONNX files");
        }
    }

    static void run(String engine, Path model, int batch, double seconds, int threads) {
        try (Classifier c = engine.equals("torch")
                ? TorchClassifier.open(model, new TorchClassifier.Options("cpu", null, batch))
                : OnnxClassifier.open(model, new OnnxClassifier.Options(null, batch, threads))) {
            float[] x = new float[batch * c.preprocessor().imageSize()];
            SplittableRandom rnd = new SplittableRandom(5);
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) rnd.nextGaussian();
            }
            long warm = System.nanoTime();
            int w = 0;
            while (w < 3 || System.nanoTime() - warm < 1e9 * Math.min(2, seconds)) {
                c.logits(x, batch);
                w++;
            }
            int n = 0;
            long t0 = System.nanoTime();
            while (n < 3 || System.nanoTime() - t0 < seconds * 1e9) {
                c.logits(x, batch);
                n++;
            }
            double s = (System.nanoTime() - t0) / 1e9;
            System.out.printf(Locale.ROOT, "engine=%s model=%s batch=%d batches=%d img_s=%.1f ms_per_batch=%.2f%n",
                    c.engine().replace(' ', '_'), model.getFileName(), batch, n, n * batch / s, 1000 * s / n);
        }
    }
}
