package org.convkit.model;

import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.convkit.core.ConvkitException;
import org.convkit.model.layers.Shapes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every network by name: {@code Zoo.create("resnet18", options)}. The one place that knows which
 * architectures exist; each family file registers its own variants.
 */
public final class Zoo {
    private static final Logger log = LoggerFactory.getLogger(Zoo.class);
    private static final Map<String, Architecture> ARCHS = new LinkedHashMap<>();

    static {
        // roughly in order of publication, as a course meets them
        LeNet.register(Zoo::register);
        AlexNet.register(Zoo::register);
        Vgg.register(Zoo::register);
        NiN.register(Zoo::register);
        GoogLeNet.register(Zoo::register);
        ResNet.register(Zoo::register);
        ResNet9.register(Zoo::register);
        SimpleCnn.register(Zoo::register);
        StreetNumberNets.register(Zoo::register);
    }

    private Zoo() {}

    static void register(Architecture a) {
        if (ARCHS.put(a.name(), a) != null) {
            throw new IllegalStateException("architecture registered twice: " + a.name());
        }
    }

    /** All architectures, in the order {@code convkit models} lists them. */
    public static Collection<Architecture> all() {
        return Collections.unmodifiableCollection(ARCHS.values());
    }

    public static List<String> names() {
        return new ArrayList<>(ARCHS.keySet());
    }

    /** The architecture called {@code name}; an unknown name lists the known ones. */
    public static Architecture get(String name) {
        Architecture a = ARCHS.get(name);
        if (a == null) {
            throw new ConvkitException(
                    "--model " + name + ": unknown model. Known models: " + String.join(", ", names()));
        }
        return a;
    }

    /** Builds {@code name} with its published defaults. */
    public static ConvNet create(String name) {
        return create(name, get(name).defaults());
    }

    /**
     * Builds {@code name} with {@code options}. When the input is too small for the network
     * (some layer's output would have no pixels), the smallest square size that works is used
     * instead and a warning says so: the data pipeline then resizes to it.
     */
    public static ConvNet create(String name, ModelOptions options) {
        Architecture a = get(name);
        ConvNet net = a.builder().apply(options);
        if (fits(net)) {
            return net;
        }
        int size = Math.max(options.height(), options.width());
        int lo = size;
        int hi = size;
        do {
            lo = hi;
            hi *= 2;
            if (hi > 8192) {
                throw new ConvkitException("--model " + name + ": no input size up to 8192 fits " + options.inputSpec());
            }
        } while (!fits(a.builder().apply(options.withInput(options.channels(), hi, hi))));
        while (hi - lo > 1) { // smallest working size in (lo, hi]
            int mid = (lo + hi) >>> 1;
            if (fits(a.builder().apply(options.withInput(options.channels(), mid, mid)))) {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        ModelOptions grown = options.withInput(options.channels(), Math.max(hi, options.height()),
                Math.max(hi, options.width()));
        ConvNet fitted = a.builder().apply(grown);
        if (!fits(fitted)) { // non-square input whose short side alone was the problem
            grown = options.withInput(options.channels(), hi, hi);
            fitted = a.builder().apply(grown);
        }
        log.warn("input {} is too small for {}: using {} (the smallest size that works)",
                options.inputSpec(), name, grown.inputSpec());
        return fitted;
    }

    /** True if every layer's output still has pixels for the network's input size. */
    static boolean fits(ConvNet net) {
        try {
            net.getOutputShapes(new Shape[] {net.inputShape()});
            return true;
        } catch (Shapes.InputTooSmall e) {
            return false;
        }
    }
}
