package org.convkit.eval;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.function.Consumer;
import org.convkit.core.Autograd;
import org.convkit.core.ConvkitException;
import org.convkit.core.EngineSettings;
import org.convkit.data.Batch;
import org.convkit.model.ConvNet;
import org.convkit.model.layers.BatchNormFolding;
import org.convkit.model.layers.EngineScope;

/**
 * The one evaluation pass: runs a network in evaluation mode (BatchNorm uses its running
 * statistics, folded into the convolutions when the engine settings say so, Dropout is off) with no
 * gradients recorded, every batch's tensors in their own NDManager scope closed before the next
 * batch. Evaluation, prediction, the feature cache, the server's and Spark's classifiers, {@code
 * convkit forward} ({@link #logits}) and the fidelity tests all go through it.
 *
 * <p>Each sample must arrive exactly once; a repeated index is a loader bug and stops the
 * evaluation (the mistake people made by evaluating random batches).
 */
public final class Evaluator {
    /** Receives the network's output for one batch; the arrays are closed when it returns. */
    @FunctionalInterface
    public interface BatchConsumer {
        void accept(Batch batch, NDList logits);
    }

    private final Block net;
    private final Device device;
    private final EngineSettings engine;
    private final Tta tta;

    /**
     * @param net an initialized network (parameters on {@code device}); it runs with its own
     *     engine settings
     * @param device where inputs are placed and the forward pass runs
     */
    public Evaluator(ConvNet net, Device device) {
        this(net, device, net.engine());
    }

    /**
     * @param part a part of a network such as its backbone (parameters on {@code device})
     * @param device where inputs are placed and the forward pass runs
     * @param engine the settings of the network it belongs to (BatchNorm folding, ...)
     */
    public Evaluator(Block part, Device device, EngineSettings engine) {
        this(part, device, engine, Tta.NONE);
    }

    private Evaluator(Block part, Device device, EngineSettings engine, Tta tta) {
        this.net = part;
        this.device = device;
        this.engine = engine;
        this.tta = tta;
    }

    /** This evaluator with test-time augmentation {@code t}: every pass averages over it ({@link Tta}). */
    public Evaluator withTta(Tta t) {
        return new Evaluator(net, device, engine, t);
    }

    /**
     * Evaluates labeled batches: feeds every batch's scores to {@code metrics} and returns its
     * result.
     */
    public EvalResult evaluate(Iterable<Batch> batches, Metrics metrics) {
        run(batches, (batch, logits) -> metrics.add(logits, batch));
        return metrics.result();
    }

    /**
     * Forward pass over every batch in evaluation mode, handing each batch's scores (one array per
     * head, (N, classes)) to {@code consumer}.
     *
     * @return how many samples went through
     */
    public long run(Iterable<Batch> batches, BatchConsumer consumer) {
        BitSet seen = new BitSet();
        long count = 0;
        try (Pass pass = open()) {
            for (Batch batch : batches) {
                checkOnce(seen, batch);
                pass.forward(batch, consumer);
                count += batch.size();
            }
        }
        return count;
    }

    /**
     * A network's raw outputs on a raw input batch {@code x} (N, C, H, W), run in chunks of {@code
     * batchSize} images: what {@code convkit forward} writes and the fidelity tests compare with
     * PyTorch. The outputs do not depend on {@code batchSize}.
     *
     * @return one (N, classes) array per head, in {@code manager}
     */
    public NDList logits(NDArray x, int batchSize, NDManager manager) {
        if (net instanceof ConvNet c && (x.getShape().dimension() != 4 || x.getShape().get(1) != c.options().channels())) {
            throw new ConvkitException("input of shape " + x.getShape() + ": " + c.architecture() + " takes (N, "
                    + c.options().channels() + ", H, W)");
        }
        long n = x.getShape().get(0);
        List<List<NDArray>> perHead = new ArrayList<>();
        try (Pass pass = open()) {
            for (long start = 0; start < n; start += batchSize) {
                NDArray chunk = x.get(new NDIndex("{}:{}", start, Math.min(n, start + batchSize)));
                pass.forward(chunk, out -> {
                    for (int h = 0; h < out.size(); h++) {
                        if (perHead.size() <= h) {
                            perHead.add(new ArrayList<>());
                        }
                        NDArray y = out.get(h);
                        y.attach(manager); // kept; the rest of the chunk's arrays close with its scope
                        perHead.get(h).add(y);
                    }
                });
            }
        }
        NDList result = new NDList();
        for (List<NDArray> parts : perHead) {
            if (parts.size() == 1) {
                result.add(parts.get(0));
            } else {
                NDArray all = NDArrays.concat(new NDList(parts));
                parts.forEach(NDArray::close);
                result.add(all);
            }
        }
        return result;
    }

    /**
     * Opens an evaluation pass for batches that arrive one at a time (a server's, a {@link
     * TorchClassifier}'s): gradients off and BatchNorm folded once, for as long as it is open. A
     * pass belongs to the thread that opened it: use and close it there.
     */
    public Pass open() {
        return new Pass();
    }

    /** An open evaluation pass (see {@link #open()}). */
    public final class Pass implements AutoCloseable {
        private final Autograd.NoGrad noGrad;
        private final BatchNormFolding.Scope folded;
        private final NDManager base;

        private Pass() {
            noGrad = Autograd.noGrad();
            BatchNormFolding.Scope f = null;
            try {
                f = BatchNormFolding.fold(net, engine);
                base = NDManager.newBaseManager(device);
            } catch (RuntimeException e) {
                if (f != null) {
                    f.close();
                }
                noGrad.close();
                throw e;
            }
            folded = f;
        }

        /** One batch through the network; its output arrays are closed when {@code consumer} returns. */
        public void forward(Batch batch, BatchConsumer consumer) {
            try (NDManager scope = base.newSubManager()) {
                NDArray x = scope.create(
                        batch.data(), new Shape(batch.size(), batch.channels(), batch.height(), batch.width()));
                consumer.accept(batch, forward(scope, x));
            }
        }

        /**
         * An input tensor through the network; {@code x} and every array the pass makes are
         * closed when {@code consumer} returns (attach an output elsewhere to keep it).
         */
        public void forward(NDArray x, Consumer<NDList> consumer) {
            try (NDManager scope = base.newSubManager()) {
                x.attach(scope);
                consumer.accept(forward(scope, x.toDevice(device, false)));
            }
        }

        private NDList forward(NDManager scope, NDArray x) {
            // DJL attaches an op's result to its input's manager: everything the forward pass
            // makes from x belongs to the batch's scope and is closed with it. A whole ConvNet
            // enters its engine settings itself; a part (a backbone) gets them here
            try (EngineScope ignored = EngineScope.enter(engine)) {
                ParameterStore ps = new ParameterStore(scope, false);
                NDList y = net.forward(ps, new NDList(x), false);
                if (tta == Tta.FLIP) {
                    NDList mirrored = net.forward(ps, new NDList(x.flip(3)), false);
                    NDList mean = new NDList(y.size());
                    for (int h = 0; h < y.size(); h++) {
                        mean.add(y.get(h).add(mirrored.get(h)).div(2));
                    }
                    return mean;
                }
                return y;
            }
        }

        @Override
        public void close() {
            // in reverse order: the arrays, the folds, then the previous grad mode comes back
            try {
                base.close();
            } finally {
                try {
                    folded.close();
                } finally {
                    noGrad.close();
                }
            }
        }
    }

    private static void checkOnce(BitSet seen, Batch batch) {
        if (batch.indices() == null) {
            return;
        }
        for (int i = 0; i < batch.size(); i++) {
            int index = batch.indices()[i];
            if (index >= 0 && seen.get(index)) {
                throw new IllegalStateException(
                        "sample " + index + " (" + batch.ids()[i] + ") arrived twice in one evaluation;"
                                + " evaluation must read every sample exactly once");
            }
            if (index >= 0) {
                seen.set(index);
            }
        }
    }
}
