package org.convkit.cli;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.convkit.core.ConvkitException;
import org.convkit.core.Runtime;
import org.convkit.model.ConvNet;
import org.convkit.model.weights.Weights;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "export-weights", mixinStandardHelpOptions = true,
        description = {"Write a network's weights as a PyTorch state dict (.safetensors) with the reference"
                + " implementation's key names (torchvision's; d2l's for the d2l models).",
            "In Python: model.load_state_dict(safetensors.torch.load_file(FILE))."})
final class ExportWeightsCommand implements Callable<Integer> {
    @Mixin
    ModelArgs model;

    @Mixin
    WeightsArgs weights;

    @Option(names = "--out", required = true, paramLabel = "FILE.safetensors", description = "Where to write.")
    Path out;

    @Override
    public Integer call() {
        Runtime.init();
        if (weights.file.weights == null) {
            throw new ConvkitException("--weights FILE|CHECKPOINT is needed: the weights to export");
        }
        try (NDManager manager = NDManager.newBaseManager()) {
            ConvNet net = model.build().initialize(manager);
            weights.applyTo(net);
            Weights.exportTorch(net, out);
            System.err.println("wrote " + out + " (" + net.parametersByPath().size() + " tensors, PyTorch key names)");
        }
        return 0;
    }
}
