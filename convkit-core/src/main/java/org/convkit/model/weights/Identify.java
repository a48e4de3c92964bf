package org.convkit.model.weights;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.convkit.model.Architecture;
import org.convkit.model.ConvNet;
import org.convkit.model.Zoo;

/**
 * Which zoo architectures a state dict fits, for the error message when it does not fit the one
 * asked for ("the file fits resnet18"). Compares PyTorch key names and shapes of everything
 * but the classifier, against each architecture at its published defaults; shapes come from a dry
 * run (no weights drawn), so trying the whole zoo takes well under a second.
 */
final class Identify {
    private Identify() {}

    /** Names of the architectures whose backbone keys and shapes equal the file's. */
    static List<String> architectures(Map<String, NDArray> tensors) {
        Map<String, Shape> file = new HashMap<>();
        tensors.forEach((k, v) -> {
            if (!k.endsWith("num_batches_tracked")) {
                file.put(k, v.getShape());
            }
        });
        List<String> fits = new ArrayList<>();
        for (Architecture a : Zoo.all()) {
            try {
                ConvNet net = Zoo.create(a.name(), a.defaults());
                if (fits(net, file)) {
                    fits.add(a.name());
                }
            } catch (RuntimeException e) {
                // an architecture that cannot be built at its defaults is simply not a candidate
            }
        }
        return fits;
    }

    private static boolean fits(ConvNet net, Map<String, Shape> file) {
        int headKeys = 0;
        int matched = 0;
        for (Map.Entry<String, Shape> e : net.parameterShapes().entrySet()) {
            String key = net.torchKeys().toTorch(e.getKey()).orElse(e.getKey());
            if (e.getKey().startsWith("head.")) {
                headKeys += file.containsKey(key) ? 1 : 0;
            } else if (e.getValue().equals(file.get(key))) {
                matched++;
            } else {
                return false;
            }
        }
        return matched + headKeys == file.size();
    }
}
