package org.convkit.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.convkit.core.ConvkitException;
import org.convkit.core.Npy;
import org.convkit.core.Runtime;
import org.convkit.eval.Evaluator;
import org.convkit.model.ConvNet;
import org.convkit.model.Zoo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "forward", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Run a network in evaluation mode on a raw NCHW float32 NumPy array and write its outputs"
                + " (logits) as .npy: how to compare convkit with PyTorch.",
            "The network is built for the array's CxHxW. With K heads, --out FILE.npy holds the heads stacked"
                + " as (K, N, classes); --out FILE.npz holds head0 ... head{K-1}."})
final class ForwardCommand implements Callable<Integer> {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Mixin
    ModelFlags model;

    @Mixin
    WeightsArgs weights;

    @Option(names = "--input", required = true, paramLabel = "X.npy",
            description = "Input batch: a float32 .npy array of shape (N, C, H, W), e.g. numpy.save('x.npy', x).")
    Path input;

    @Option(names = "--out", required = true, paramLabel = "Y.npy", description = "Where to write the outputs (.npy or .npz).")
    Path out;

    @Option(names = "--batch-size", paramLabel = "B", defaultValue = "32",
            description = "Images per forward pass (default: ${DEFAULT-VALUE}); the outputs do not depend on it.")
    int batchSize;

    @Mixin
    DeviceArgs device;

    @Mixin
    PrecisionArgs precision;

    @Override
    public Integer call() throws Exception {
        // before the engine loads: a bf16 run is a child process, and this one only waits for it
        Integer child = precision.relaunchIfNeeded(spec);
        if (child != null) {
            return child;
        }
        Runtime.init();
        if (batchSize < 1) {
            throw new ConvkitException("--batch-size " + batchSize + ": must be at least 1");
        }
        String name = out.getFileName().toString().toLowerCase(Locale.ROOT);
        if (!name.endsWith(".npy") && !name.endsWith(".npz")) {
            throw new ConvkitException("--out " + out + ": name it *.npy or *.npz");
        }
        try (NDManager manager = NDManager.newBaseManager(Runtime.device(device.device))) {
            NDArray x = Npy.readFloat32(input, "--input", manager);
            if (x.getShape().dimension() != 4) {
                throw new ConvkitException("--input " + input + ": shape " + x.getShape() + "; expected (N, C, H, W)");
            }
            var shape = x.getShape();
            ConvNet net = Zoo.create(model.model(), model.options(shape.get(1) + "x" + shape.get(2) + "x" + shape.get(3)));
            net.initialize(manager);
            if (weights.applyTo(net) == null) {
                System.err.println("no --weights: the network has fresh random weights");
            }
            NDList y = new Evaluator(net, manager.getDevice()).logits(x, batchSize, manager);
            if (name.endsWith(".npz")) {
                for (int h = 0; h < y.size(); h++) {
                    y.get(h).setName("head" + h);
                }
                Npy.writeAll(out, y);
            } else {
                Npy.write(out, y.size() == 1 ? y.singletonOrThrow() : ai.djl.ndarray.NDArrays.stack(y));
            }
            System.err.println("wrote " + out + ": " + (y.size() == 1 ? y.get(0).getShape() : y.size() + " heads of "
                    + y.get(0).getShape()) + " float32");
        }
        return 0;
    }
}
