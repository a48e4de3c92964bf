package org.convkit.cli;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.convkit.core.ConvkitException;
import org.convkit.eval.TorchClassifier;
import org.convkit.model.weights.ModelSource;
import org.convkit.onnx.OnnxExport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "export", mixinStandardHelpOptions = true,
        description = {"Export a model's network (a convkit checkpoint, or --model M --weights FILE) to an ONNX file for ONNX Runtime, TensorRT, OpenVINO, browsers:"
                + " input 'image' (N, C, H, W) float32, normalized as in training; one output per head ('logits', or"
                + " 'logits_0'...), class scores before softmax; the model card (classes, input size, normalization,"
                + " resize/crop) in the file's metadata. The file is loaded and checked in ONNX Runtime before it is"
                + " written. See docs/onnx.md.",
            "Example: convkit export --checkpoint runs/fashion --format onnx --out fashion.onnx",
            "         convkit export --model resnet18 --weights resnet18-f37072fd.pth --out resnet18.onnx"})
final class ExportCommand implements Callable<Integer> {
    @Mixin
    ModelSourceArgs model;

    @Option(names = "--format", defaultValue = "onnx", paramLabel = "F",
            description = "onnx (default: ${DEFAULT-VALUE}; PyTorch state dicts: export-weights).")
    String format;

    @Option(names = "--out", paramLabel = "FILE", description = "Where to write (default: NAME.onnx, NAME = the run's name).")
    Path out;

    @Option(names = "--opset", defaultValue = "" + OnnxExport.DEFAULT_OPSET, paramLabel = "N",
            description = "ONNX opset, " + OnnxExport.MIN_OPSET + ".." + OnnxExport.MAX_OPSET
                    + " where ONNX Runtime runs it (default: ${DEFAULT-VALUE}, what Debian's python3-onnx and torch 1.13 know).")
    int opset;

    @Option(names = "--batch", defaultValue = "dynamic", paramLabel = "dynamic|N",
            description = "Batch dimension: dynamic (any N) or a fixed size (default: ${DEFAULT-VALUE}). Height and width"
                    + " are always the trained input size.")
    String batch;

    @Option(names = "--batchnorm", defaultValue = "fold", paramLabel = "fold|keep",
            description = "fold: into the preceding convolution/linear layer, the numbers convkit's evaluation uses;"
                    + " keep: BatchNormalization nodes (default: ${DEFAULT-VALUE}).")
    String batchNorm;

    @Option(names = "--no-check", negatable = false,
            description = "Skip comparing ONNX Runtime's scores with convkit's before writing (the file is still loaded).")
    boolean noCheck;

    @Override
    public Integer call() {
        if (!format.equalsIgnoreCase("onnx")) {
            throw new ConvkitException("--format " + format + ": export writes onnx; for a PyTorch state dict use"
                    + " `convkit export-weights`");
        }
        OnnxExport.Options o = OnnxExport.Options.defaults().withOpset(opset).withBatch(batch(batch))
                .withFoldBatchNorm(switch (batchNorm.toLowerCase(Locale.ROOT)) {
                    case "fold" -> true;
                    case "keep" -> false;
                    default -> throw new ConvkitException("--batchnorm " + batchNorm + ": expected fold or keep");
                })
                .withCheck(!noCheck);
        ModelSource from = model.source();
        try (TorchClassifier source = TorchClassifier.open(from, TorchClassifier.Options.defaults())) {
            Path target = out != null ? out : Path.of(source.card().name() + ".onnx");
            OnnxExport.Report r = OnnxExport.write(source, target, o);
            System.out.println("wrote " + target.toAbsolutePath().normalize() + " (" + source.card().architecture() + " "
                    + source.card().input() + ", opset " + o.opset() + ", batch " + (o.batch() == 0 ? "dynamic" : o.batch())
                    + "): " + r.describe());
            System.out.println("run it: convkit predict --engine onnx --checkpoint " + target + " --input IMAGES");
        }
        return 0;
    }

    private static int batch(String s) {
        if (s.equalsIgnoreCase("dynamic")) {
            return 0;
        }
        try {
            int n = Integer.parseInt(s.trim());
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // fall through to the message
        }
        throw new ConvkitException("--batch " + s + ": expected dynamic or a positive batch size");
    }
}
