package org.convkit.model.layers;

import com.sun.jna.Function;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.convkit.core.ConvkitException;

/**
 * Turns libtorch's use of oneDNN for convolutions on and off in this process: what {@code
 * torch.backends.mkldnn.enabled = False} does in PyTorch ({@code at::Context::setUserEnabledMkldnn}).
 * Off, libtorch computes convolutions with its own kernels (im2col and matrix products), forward
 * and backward; NNPACK is turned off with it, so that off means one kernel family.
 *
 * <p>Why: on some CPUs libtorch 2.7.1's oneDNN computes some convolution shapes wrong or crashes in
 * them, in every layout and instruction set it offers but the oldest (docs/engine.md, "Known
 * failures"); its own kernels were right there. DJL has no call for the switch, so it is made
 * through JNA (already on DJL's class path) on the library libtorch was loaded from.
 *
 * <p>The switch belongs to the process, as in PyTorch, and is read by libtorch at every
 * convolution, forward and backward; {@link EngineScope#enter} sets it to what the settings of the
 * pass ask for, and it stays so until a pass asks otherwise (a backward pass runs after its forward
 * scope closed). Two networks that need different values cannot run at the same time.
 */
public final class OneDnnSwitch {
    private static final String CONTEXT = "_ZN2at13globalContextEv";
    private static final String SET = "_ZN2at7Context20setUserEnabledMkldnnEb";
    private static final String GET = "_ZNK2at7Context17userEnabledMkldnnEv";
    private static final String SET_NNPACK = "_ZN2at7Context20setUserEnabledNNPACKEb";

    private static Boolean current;
    private static Pointer context;
    private static Function set;
    private static Function get;
    private static Function setNnpack;

    private OneDnnSwitch() {}

    /** Makes libtorch use oneDNN for convolutions ({@code true}, its default) or its own kernels. */
    public static synchronized void set(boolean enabled) {
        if (current != null && current == enabled) {
            return;
        }
        if (current == null && enabled) {
            return; // libtorch's default: nothing to load until someone turns it off
        }
        bind();
        set.invokeVoid(new Object[] {context, enabled});
        // NNPACK goes with it: off, libtorch would try it first for some convolutions (a kernel
        // family of its own, unchecked, and where the CPU lacks it a warning per convolution shape)
        setNnpack.invokeVoid(new Object[] {context, enabled});
        current = enabled;
    }

    /** What libtorch says the switch is now (loads libtorch's symbols). */
    public static synchronized boolean enabled() {
        bind();
        return (get.invokeInt(new Object[] {context}) & 0xff) != 0;
    }

    private static void bind() {
        if (context != null) {
            return;
        }
        ai.djl.engine.Engine.getEngine("PyTorch"); // loads libtorch, if nothing has yet
        NativeLibrary lib = NativeLibrary.getInstance(loaded("libtorch_cpu.so").toString());
        context = lib.getFunction(CONTEXT).invokePointer(new Object[0]);
        set = lib.getFunction(SET);
        get = lib.getFunction(GET);
        setNnpack = lib.getFunction(SET_NNPACK);
    }

    /** The file this process loaded {@code name} from (Linux: its memory map says). */
    private static Path loaded(String name) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/maps"))) {
                int slash = line.indexOf('/');
                if (slash >= 0 && line.endsWith("/" + name)) {
                    return Path.of(line.substring(slash));
                }
            }
        } catch (IOException e) {
            throw new ConvkitException("engine: cannot read /proc/self/maps to find " + name + ": " + e.getMessage(), e);
        }
        throw new ConvkitException("engine: " + name + " is not loaded in this process: libtorch's oneDNN switch needs"
                + " libtorch's CPU library (Linux)");
    }
}
