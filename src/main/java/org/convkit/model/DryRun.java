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
        Map<Parameter, Initializer> initializers = new IdentityHashMap<>();
        for (Pair<String, Parameter> p : net.getParameters()) {
            initializers.put(p.getValue(), p.getValue().getInitializer());
        }
        try (NDManager m = NDManager.newBaseManager()) {
            net.setInitializer(NDManager::create, p -> true);
            net.initialize(m, DataType.FLOAT32, net.inputShape());
            return work.get();
        } finally {
            net.clear(); // closes the placeholder arrays: the network is uninitialized again
            initializers.forEach(Parameter::setInitializer);
        }
    }
}
