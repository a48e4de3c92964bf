package org.convkit.model;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import ai.djl.training.initializer.Initializer;
import ai.djl.util.Pair;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Runs something that needs an initialized network (parameter shapes and counts, a summary) on a
 * network that is not, without drawing any weights.
 *
 * <p>DJL learns parameter shapes only while initializing, and initializing fills every parameter.
 * Here the parameters get uninitialized storage instead (torch.empty: address space only, no page
 * is touched, no random number drawn), so even VGG-19's 144M parameters take milliseconds. The
 * storage is released afterwards and the network is uninitialized again, its own initializers
 * restored.
 */
final class DryRun {
    private DryRun() {}

    static <T> T of(ConvNet net, Supplier<T> work) {
        if (net.isInitialized()) {
            return work.get();
        }
        // only parameters without an array get a placeholder (and lose it again): a network
        // initialized in part keeps the arrays it has
        Map<Parameter, Initializer> placeholders = new IdentityHashMap<>();
        for (Pair<String, Parameter> p : net.getParameters()) {
            if (!p.getValue().isInitialized()) {
                placeholders.put(p.getValue(), p.getValue().getInitializer());
            }
        }
        try (NDManager m = NDManager.newBaseManager()) {
            placeholders.keySet().forEach(p -> p.setInitializer(NDManager::create));
            net.initialize(m, DataType.FLOAT32, net.inputShape());
            return work.get();
        } finally {
            placeholders.forEach((p, init) -> {
                p.close(); // releases the placeholder: this parameter is uninitialized again
                p.setInitializer(init);
            });
        }
    }
}
