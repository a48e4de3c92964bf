package org.convkit.model.layers;

import org.convkit.core.EngineSettings;

/**
 * The engine settings of the forward pass running on this thread, for the layers inside it.
 *
 * <p>A network carries its {@link EngineSettings}; its forward pass enters them here, and the
 * layers several levels down (the chains that free intermediates, and later the precision of a
 * convolution) read them back without every block passing them along. The scope belongs to one
 * call on one thread, so two networks with different settings can run in one process, one after
 * the other or at once on different threads.
 */
public final class EngineScope implements AutoCloseable {
    private static final ThreadLocal<EngineSettings> CURRENT = new ThreadLocal<>();

    private final EngineSettings previous;
    private boolean closed;

    private EngineScope(EngineSettings previous) {
        this.previous = previous;
    }

    /** Makes {@code settings} current on this thread until the returned scope closes. */
    public static EngineScope enter(EngineSettings settings) {
        EngineScope scope = new EngineScope(CURRENT.get());
        CURRENT.set(settings);
        // libtorch's switch is the process's, read at every convolution: set it for this pass and
        // leave it so, for the backward pass that runs after this scope closed
        OneDnnSwitch.set(settings.layout() != EngineSettings.Layout.NATIVE);
        return scope;
    }

    /**
     * The settings of the innermost open scope on this thread; {@link EngineSettings#PLAIN} outside
     * any (a block run on its own, outside a network).
     */
    public static EngineSettings current() {
        EngineSettings s = CURRENT.get();
        return s != null ? s : EngineSettings.PLAIN;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (previous == null) {
            CURRENT.remove();
        } else {
            CURRENT.set(previous);
        }
    }
}
