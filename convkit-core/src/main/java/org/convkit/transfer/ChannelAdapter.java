package org.convkit.transfer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.convkit.core.ConvkitException;
import org.convkit.model.ConvNet;

/**
 * Weights trained on another number of input channels than the data has (ImageNet RGB weights for
 * gray X-rays or digits, or the reverse). Only the first convolution sees the channels, so only it
 * changes, as timm's {@code adapt_input_conv} does:
 *
 * <ul>
 *   <li>RGB to gray: the three filters of each output channel are summed into one. On a gray
 *       image copied into R, G and B the original filter computes exactly that sum, so the adapted
 *       network answers on the gray image as the original did on its RGB copy.
 *   <li>gray to RGB: the filter is repeated for R, G and B and divided by 3, so the adapted network
 *       answers on an RGB image as the original did on its channel mean.
 * </ul>
 */
public final class ChannelAdapter {
    private ChannelAdapter() {}

    /**
     * The first convolution's weight of {@code net}: its parameter path and the key the tensors
     * use for it, when they have it.
     */
    record FirstConv(String path, String key, long netChannels, long fileChannels) {}

    /** Finds the first convolution in {@code tensors} (by our path or the PyTorch key) and its channel counts. */
    static Optional<FirstConv> find(ConvNet net, Map<String, NDArray> tensors) {
        for (var e : net.parametersByPath().entrySet()) {
            Shape s = e.getValue().getArray().getShape();
            if (s.dimension() != 4) {
                continue;
            }
            String path = e.getKey();
            String key = tensors.containsKey(path) ? path : net.torchKeys().toTorch(path).orElse(path);
            NDArray t = tensors.get(key);
            if (t == null || t.getShape().dimension() != 4) {
                return Optional.empty(); // the loader reports the missing or misshapen key
            }
            return Optional.of(new FirstConv(path, key, s.get(1), t.getShape().get(1)));
        }
        return Optional.empty();
    }

    /**
     * {@code tensors} ready for {@code net}: unchanged when the channels agree; with the first
     * convolution adapted when they differ and {@code adapt}; refused with what to do otherwise.
     * Adapted tensors are new arrays in the manager of the original.
     *
     * @param source the file, for messages
     * @param notes told what {@code adapt} did, also when there was nothing to adapt (a flag given in
     *     vain should not pass in silence)
     */
    public static Map<String, NDArray> fit(ConvNet net, Map<String, NDArray> tensors, boolean adapt, String source,
            Consumer<String> notes) {
        Optional<FirstConv> first = find(net, tensors);
        if (first.isEmpty() || first.get().netChannels() == first.get().fileChannels()) {
            if (adapt && first.isPresent()) {
                long n = first.get().netChannels();
                notes.accept("--adapt-channels: nothing to adapt: the weights' first convolution ("
                        + first.get().key() + ") takes " + n + " channel" + (n == 1 ? "" : "s")
                        + ", as the network built for the data does");
            }
            return tensors;
        }
        FirstConv f = first.get();
        long want = f.netChannels();
        long have = f.fileChannels();
        boolean supported = (have == 3 && want == 1) || (have == 1 && want == 3);
        if (!adapt || !supported) {
            String how = !supported ? "Only 3 <-> 1 channels can be adapted; convert the images instead."
                    : have == 3 ? "Add --adapt-channels to sum the RGB filters of the first convolution into one"
                            + " (timm's adapt_input_conv)."
                            : "Add --adapt-channels to repeat the gray filter for R, G and B, divided by 3.";
            throw new ConvkitException("weights " + source + " were trained on " + have + "-channel images (their first"
                    + " convolution " + f.key() + " takes " + have + " channels); the network is built for the data's "
                    + want + " channel" + (want == 1 ? "" : "s") + ". " + how);
        }
        NDArray w = tensors.get(f.key());
        NDArray adapted = adapt(w, (int) want);
        Map<String, NDArray> out = new LinkedHashMap<>(tensors);
        out.put(f.key(), adapted);
        notes.accept("--adapt-channels: the first convolution (" + f.key() + ") adapted from " + have + " to " + want
                + " input channels" + (want == 1 ? ": the RGB filters summed" : ": the gray filter repeated, divided by 3"));
        return out;
    }

    /** The first convolution's weight (O, I, kH, kW) for {@code channels} inputs (3 -> 1 or 1 -> 3). */
    public static NDArray adapt(NDArray weight, int channels) {
        long have = weight.getShape().get(1);
        NDArray w = weight.toType(ai.djl.ndarray.types.DataType.FLOAT32, true);
        if (have == 3 && channels == 1) {
            return w.sum(new int[] {1}, true);
        }
        if (have == 1 && channels == 3) {
            return w.repeat(1, 3).div(3f);
        }
        throw new IllegalArgumentException("cannot adapt " + have + " input channels to " + channels);
    }
}
