package org.convkit.model.layers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.norm.BatchNorm;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.convkit.core.EngineSettings;

/**
 * Inference with every BatchNorm folded into the convolution right before it: {@code conv(x, W) ->
 * BN} becomes one {@code conv(x, W * s, b)} with {@code s = gamma / sqrt(var + eps)} and {@code b =
 * beta - mean * s} (plus the conv's own bias times {@code s}). In evaluation mode BN is a fixed
 * per-channel affine map, so the result is the same up to float rounding, and the whole pass over
 * the activation that BN costs disappears into the convolution's bias: ResNet-18 inference at 224
 * gained 16% this way in PyTorch (bench/RESULTS.md, run 5), which eager PyTorch does not do by
 * itself.
 *
 * <p>{@link #fold} computes the folded weights of a network from its current parameters for the
 * duration of a scope (an evaluation pass); the chains that run a conv and then its BN ({@link
 * Intermediates#chain}, the residual blocks) ask {@link #forward} first and skip the BN when it
 * answers. Training passes ({@code training = true}) never fold, nor does anything outside a scope,
 * so weights that change between evaluations are folded afresh each time. Whether a pass folds is
 * the network's {@link EngineSettings#foldBatchNorm()}: a speed path the engine self-check must pass.
 */
public final class BatchNormFolding {
    /** DJL's BatchNorm keeps its epsilon private and has no getter: read once, by reflection. */
    private static final Field EPSILON = epsilonField();
    /**
     * The pairs folded by the scopes open on this thread: a scope belongs to the evaluation pass
     * that opened it, so another thread's passes over the same network are not changed by it and
     * cannot see its arrays freed under them.
     */
    private static final ThreadLocal<Map<Block, Folded>> ACTIVE = ThreadLocal.withInitial(IdentityHashMap::new);

    private record Folded(BatchNorm bn, NDArray weight, NDArray bias) {}

    /**
     * A block whose (Conv2d, BatchNorm) pairs are not neighbours among its children, and which
     * names them itself: d2l's residual block registers conv1, conv2, conv3, bn1, bn2 (PyTorch's
     * order, which its state dict keeps), where conv3 and bn1 are neighbours but no pair.
     */
    public interface Pairs {
        /** Each pair as {conv, batchNorm}, the conv's output going straight into the BatchNorm. */
        List<Block[]> convBnPairs();
    }

    private BatchNormFolding() {}

    /** The folded weights of a network, in force until closed. */
    public static final class Scope implements AutoCloseable {
        private final List<Block> convs = new ArrayList<>();

        @Override
        public void close() {
            Map<Block, Folded> active = ACTIVE.get();
            for (Block conv : convs) {
                Folded f = active.remove(conv);
                f.weight.close();
                f.bias.close();
            }
            convs.clear();
        }

        /** How many conv + BN pairs this scope folded (0 when switched off or already folded). */
        public int pairs() {
            return convs.size();
        }
    }

    /**
     * Folds every (Conv2d, BatchNorm) pair of {@code net} that sits as consecutive children of one
     * block, from the parameters' current values, when {@code settings} fold (an empty scope
     * otherwise); the folded weights get the settings' layout. Pairs already folded by an enclosing
     * scope are left to it.
     */
    public static Scope fold(Block net, EngineSettings settings) {
        Scope scope = new Scope();
        if (!settings.foldBatchNorm() || EPSILON == null) {
            return scope;
        }
        try {
            collect(net, ACTIVE.get(), scope, settings.layout());
        } catch (RuntimeException e) {
            scope.close(); // no half-folded network left behind for later passes
            throw e;
        }
        return scope;
    }

    private static void collect(Block block, Map<Block, Folded> active, Scope scope, EngineSettings.Layout layout) {
        List<Block> children = block.getChildren().values();
        if (block instanceof Pairs p) {
            for (Block[] pair : p.convBnPairs()) {
                foldPair(pair[0], pair[1], active, scope, layout);
            }
        }
        for (int i = 0; i < children.size(); i++) {
            Block child = children.get(i);
            if (i + 1 < children.size() && !(block instanceof Pairs)) {
                foldPair(child, children.get(i + 1), active, scope, layout);
            }
            collect(child, active, scope, layout);
        }
    }

    private static void foldPair(Block first, Block second, Map<Block, Folded> active, Scope scope,
            EngineSettings.Layout layout) {
        if (first instanceof Conv2d conv && second instanceof BatchNorm bn && !active.containsKey(conv)
                && initialized(conv) && initialized(bn)) {
            active.put(conv, folded(conv, bn, layout));
            scope.convs.add(conv);
        }
    }

    /**
     * {@code bn(conv(x))} as one folded convolution when a scope folded this pair and the pass is
     * not training; null otherwise (the caller then runs both blocks).
     */
    public static NDList forward(Block conv, Block next, NDList x, boolean training) {
        if (training) {
            return null;
        }
        Folded f = ACTIVE.get().get(conv);
        if (f == null || f.bn != next) {
            return null;
        }
        Conv2d c = (Conv2d) conv;
        return Conv2d.conv2d(x.singletonOrThrow(), f.weight, f.bias, c.getStride(), c.getPadding(), c.getDilation(),
                c.getGroups());
    }

    /** A BatchNorm's epsilon, which DJL keeps private (exporters need it too). */
    public static float epsilon(BatchNorm bn) {
        if (EPSILON == null) {
            throw new IllegalStateException("this DJL's BatchNorm has no readable epsilon");
        }
        try {
            return EPSILON.getFloat(bn);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("BatchNorm epsilon unreadable", e);
        }
    }

    private static Folded folded(Conv2d conv, BatchNorm bn, EngineSettings.Layout layout) {
        NDArray w = param(conv, "weight");
        float eps = epsilon(bn);
        NDManager owner = w.getManager();
        // DJL attaches an op's result to the manager of the array it is called on: working on
        // copies that belong to tmp keeps every intermediate there, freed when tmp closes
        try (NDManager tmp = owner.newSubManager()) {
            NDArray gamma = copy(param(bn, "gamma"), tmp);
            NDArray scale = gamma.div(copy(param(bn, "runningVar"), tmp).add(eps).sqrt());
            NDArray mean = copy(param(bn, "runningMean"), tmp);
            NDArray shift = conv.isIncludeBias() ? copy(param(conv, "bias"), tmp).sub(mean) : mean.neg();
            NDArray bias = shift.mul(scale).add(copy(param(bn, "beta"), tmp));
            NDArray weight = copy(w, tmp).mul(scale.reshape(-1, 1, 1, 1));
            // the same storage as the other conv weights, so libtorch keeps picking the same kernels
            if (layout == EngineSettings.Layout.CHANNELS_LAST) {
                weight = MemoryFormat.toChannelsLast(weight);
            }
            return new Folded(bn, keep(weight, owner), keep(bias, owner));
        }
    }

    /** A copy of {@code a} without gradient history, owned by {@code m}. */
    private static NDArray copy(NDArray a, NDManager m) {
        try (NDArray detached = a.stopGradient()) { // a handle in a's manager: closed here
            NDArray c = detached.duplicate();
            c.attach(m);
            return c;
        }
    }

    /** {@code a} detached from autograd and moved to {@code m}, out of the closing temporary scope. */
    private static NDArray keep(NDArray a, NDManager m) {
        NDArray kept = a.stopGradient();
        kept.attach(m);
        return kept;
    }

    private static NDArray param(Block b, String name) {
        return Layers.parameter(b, name).getArray();
    }

    private static boolean initialized(Block b) {
        return b.getParameters().values().stream().allMatch(Parameter::isInitialized);
    }

    private static Field epsilonField() {
        try {
            Field f = BatchNorm.class.getDeclaredField("epsilon");
            f.setAccessible(true);
            return f;
        } catch (ReflectiveOperationException | RuntimeException e) {
            // another DJL version: no folding, the same results the slower way, and said once
            org.slf4j.LoggerFactory.getLogger(BatchNormFolding.class).warn(
                    "BatchNorm folding is off: DJL's BatchNorm has no readable epsilon ({})", e.toString());
            return null;
        }
    }
}
