package org.convkit.transfer;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Consumer;
import org.convkit.core.ConvkitException;
import org.convkit.model.ConvNet;
import org.convkit.model.weights.Checkpoint;
import org.convkit.model.weights.KeyMap;
import org.convkit.model.weights.LoadReport;
import org.convkit.model.weights.SafeTensors;
import org.convkit.model.weights.StateDict;
import org.convkit.model.weights.WeightLoader;

/**
 * Loads a pretrained backbone into a network built for new data: everything but the classifier,
 * which keeps its fresh initialization (the head is replaced for the dataset's classes). From a
 * convkit checkpoint directory or a PyTorch state dict (torchvision / timm keys); strict otherwise:
 * a layer that does not fit is named (the weights loader lists them), and another input channel
 * count is refused or, when asked, adapted ({@link ChannelAdapter}).
 */
public final class BackboneWeights {
    private BackboneWeights() {}

    /** Loads {@code from} into {@code net} (initialized), the head left fresh. */
    public static LoadReport load(ConvNet net, Path from, boolean adaptChannels) {
        return load(net, from, adaptChannels, KeyMap.NONE, note -> {});
    }

    /**
     * As {@link #load(ConvNet, Path, boolean)}, a weights file's keys first renamed by {@code keyMap};
     * {@code notes} hears what channel adaptation did ({@link ChannelAdapter#fit}).
     */
    public static LoadReport load(ConvNet net, Path from, boolean adaptChannels, KeyMap keyMap,
            Consumer<String> notes) {
        if (Checkpoint.isCheckpoint(from, keyMap)) {
            Checkpoint.Manifest m = Checkpoint.read(from);
            if (!m.architecture().equals(net.architecture())) {
                throw new ConvkitException("--from " + from + " holds a " + m.architecture() + "; the network is "
                        + net.architecture() + ". Use --model " + m.architecture() + " (or leave --model out: it comes"
                        + " from the checkpoint)");
            }
            try (NDManager tmp = NDManager.newBaseManager(Device.cpu())) {
                Map<String, NDArray> tensors = SafeTensors.read(from.resolve(Checkpoint.WEIGHTS), tmp);
                tensors = ChannelAdapter.fit(net, tensors, adaptChannels, from.toString(), notes);
                return WeightLoader.load(net, tensors, from.toString(), WeightLoader.KeyStyle.CONVKIT, true, true);
            }
        }
        if (Files.isDirectory(from)) {
            throw new ConvkitException("--from " + from + ": a folder that is not a convkit checkpoint (no "
                    + Checkpoint.MODEL_JSON + "); give a checkpoint (runs/NAME/checkpoints/best) or a weights file");
        }
        try (StateDict sd = StateDict.read(from)) {
            Map<String, NDArray> tensors = ChannelAdapter.fit(net, keyMap.apply(sd.tensors()), adaptChannels,
                    from.toString(), notes);
            return WeightLoader.load(net, tensors, from.toString(), WeightLoader.KeyStyle.AUTO, true, true,
                    sd.inStateDictOrder());
        }
    }
}
