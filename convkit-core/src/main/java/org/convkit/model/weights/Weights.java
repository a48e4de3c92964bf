package org.convkit.model.weights;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.convkit.core.AtomicFiles;
import org.convkit.core.ConvkitException;
import org.convkit.model.ConvNet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Weights in and out of a network: PyTorch state dicts, keyed as each family's reference
 * implementation names its parameters (torchvision for resnet*, vgg*, alexnet, googlenet, where
 * timm's ResNet keys are the same; d2l for the d2l models), and convkit checkpoints.
 */
public final class Weights {
    private static final Logger log = LoggerFactory.getLogger(Weights.class);

    private Weights() {}

    /**
     * Loads weights into {@code net} (initialized) from a {@code .safetensors} or {@code torch.save}
     * file ({@code .pth}/{@code .pt}), or a convkit checkpoint directory. Keys may be torchvision's
     * or our own paths (told apart by which match more). Strict: every parameter must be found with
     * its shape and every tensor in the file used, else nothing is loaded and the exception lists
     * what is missing, unexpected and of the wrong shape.
     *
     * @param ignoreHead load everything but the classifier (which keeps its fresh values): for a
     *     new class count
     */
    public static LoadReport load(ConvNet net, Path file, boolean ignoreHead) {
        return load(net, file, ignoreHead, KeyMap.NONE);
    }

    /**
     * As {@link #load(ConvNet, Path, boolean)}, the file's keys first renamed by {@code keyMap}
     * ({@code --key-map}).
     */
    public static LoadReport load(ConvNet net, Path file, boolean ignoreHead, KeyMap keyMap) {
        if (Checkpoint.isCheckpoint(file, keyMap)) {
            return Checkpoint.loadInto(file, net, ignoreHead);
        }
        try (StateDict sd = StateDict.read(file)) {
            LoadReport r = WeightLoader.load(net, keyMap.apply(sd.tensors()), file.toString(), WeightLoader.KeyStyle.AUTO,
                    ignoreHead, true, sd.inStateDictOrder());
            log.debug("{} ({}): {} tensors loaded, {} skipped", file, sd.format(), r.loaded(), r.skipped().size());
            return r;
        }
    }

    /**
     * Writes {@code net}'s weights as a PyTorch state dict in {@code .safetensors}, keys as the
     * reference implementation names them (torchvision's, d2l's), so that in Python
     * {@code model.load_state_dict(safetensors.torch.load_file(path))} takes them. BatchNorm layers
     * get a {@code num_batches_tracked} of 0, as torchvision's state dicts have one. Parameters
     * without a PyTorch counterpart (extra heads) keep their convkit path.
     */
    public static void exportTorch(ConvNet net, Path file) {
        if (!file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".safetensors")) {
            throw new ConvkitException(file + ": export writes .safetensors only (PyTorch reads it with"
                    + " safetensors.torch.load_file); name the file *.safetensors");
        }
        try (NDManager tmp = NDManager.newBaseManager(Device.cpu())) {
            Map<String, NDArray> out = new LinkedHashMap<>();
            for (Map.Entry<String, Parameter> e : net.parametersByPath().entrySet()) {
                Optional<String> key = net.torchKeys().toTorch(e.getKey());
                if (key.isEmpty()) {
                    log.warn("{}: {} has no PyTorch name; exported under its convkit path", file, e.getKey());
                }
                String name = key.orElse(e.getKey());
                out.put(name, e.getValue().getArray());
                if (name.endsWith(".running_var")) {
                    String prefix = name.substring(0, name.length() - "running_var".length());
                    out.put(prefix + "num_batches_tracked", tmp.zeros(new Shape(), DataType.INT64));
                }
            }
            AtomicFiles.write(file, os -> SafeTensors.write(os, out));
        } catch (IOException e) {
            throw new ConvkitException(file + ": cannot write (" + e.getMessage() + ")", e);
        }
    }
}
