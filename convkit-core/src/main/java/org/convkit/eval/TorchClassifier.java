package org.convkit.eval;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.convkit.core.ConvkitException;
import org.convkit.core.Futures;
import org.convkit.core.Runtime;
import org.convkit.data.Batch;
import org.convkit.data.fetch.Download;
import org.convkit.model.ConvNet;
import org.convkit.model.ParamPaths;
import org.convkit.model.weights.Checkpoint;
import org.convkit.model.weights.ModelSource;

/**
 * A {@link Classifier} on libtorch (DJL's PyTorch engine): a convkit network with its weights,
 * run in evaluation mode through the {@link Evaluator}.
 *
 * <p>Every forward pass runs on one inference thread of its own, whatever thread asks: libtorch
 * keeps gradient mode per thread and BatchNorm folding belongs to the thread that folded, so one
 * long-lived thread holds a single {@link Evaluator.Pass} (gradients off, BatchNorm folded once
 * for the classifier's life, the weights never change). Passes run one at a time, each on all the
 * cores libtorch was given; callers on other threads wait their turn. Thread-safe.
 */
public final class TorchClassifier extends AbstractClassifier {

    /**
     * How to open a checkpoint.
     *
     * @param device cpu, cuda, cuda:N
     * @param transforms a {@code --transforms} override of the checkpoint's evaluation image steps,
     *     or null
     * @param maxBatch images per forward pass in {@link #predict}
     */
    public record Options(String device, String transforms, int maxBatch, Tta tta) {
        public Options {
            if (maxBatch < 1) {
                throw new ConvkitException("--batch-size must be positive, not " + maxBatch);
            }
            tta = tta == null ? Tta.NONE : tta;
        }

        /** Without test-time augmentation. */
        public Options(String device, String transforms, int maxBatch) {
            this(device, transforms, maxBatch, Tta.NONE);
        }

        public static Options defaults() {
            return new Options("cpu", null, 64);
        }
    }

    private final ConvNet net;
    private final AutoCloseable owner;
    private final Evaluator evaluator;
    private final ExecutorService inference;
    /** Opened, used and closed on the inference thread only. */
    private Evaluator.Pass pass;
    private boolean closed;

    /**
     * A classifier over a network already loaded (from a checkpoint, a zoo model with imported
     * weights ...).
     *
     * @param net the network, initialized, weights loaded, parameters on {@code device}
     * @param card what it is; its class count, heads and input must be the network's
     * @param device where its parameters live
     * @param maxBatch images per forward pass in {@link #predict}
     * @param owner closed with the classifier (the NDManager holding the parameters), or null
     */
    public TorchClassifier(ConvNet net, ModelCard card, Device device, int maxBatch, AutoCloseable owner) {
        this(net, card, device, maxBatch, Tta.NONE, owner);
    }

    /** The same with test-time augmentation {@code tta} on every prediction ({@link Tta}). */
    public TorchClassifier(ConvNet net, ModelCard card, Device device, int maxBatch, Tta tta, AutoCloseable owner) {
        super(card, maxBatch);
        var o = net.options();
        if (o.classes() != card.classes().size() || o.heads() != card.heads() || o.channels() != card.channels()
                || o.height() != card.height() || o.width() != card.width()) {
            throw new IllegalArgumentException("the card (" + card + ") does not describe the network " + net);
        }
        this.net = net;
        this.owner = owner;
        this.evaluator = new Evaluator(net, device).withTta(tta);
        this.inference = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "convkit-inference");
            t.setDaemon(true); // never keeps the JVM alive
            return t;
        });
    }

    /**
     * Opens a checkpoint: a run folder (its best checkpoint, else the last) or a checkpoint
     * directory. The card's name is the run's folder name (else the checkpoint directory's).
     */
    public static TorchClassifier open(Path checkpointOrRun, Options o) {
        return open(ModelSource.checkpoint(checkpointOrRun), o);
    }

    /**
     * Opens a model: a convkit checkpoint, or a zoo model with imported weights ({@link
     * ModelSource}). The card's name is the run's folder name, else the checkpoint directory's,
     * else the weights file's.
     */
    public static TorchClassifier open(ModelSource source, Options o) {
        Runtime.init();
        Checkpoint.Manifest manifest = source.manifest();
        Device device = Runtime.device(o.device());
        Path weights = source.checkpointDir().map(c -> c.resolve(Checkpoint.WEIGHTS))
                .orElseGet(() -> source.weightsFile().orElseThrow());
        Path named = source.run().or(source::checkpointDir).orElse(weights).toAbsolutePath().normalize();
        String name = named.getFileName() == null ? named.toString() : named.getFileName().toString();
        String sha;
        try {
            sha = Download.sha256(weights);
        } catch (IOException e) {
            throw new ConvkitException(source.describe() + ": cannot read " + weights + " (" + e.getMessage() + ")", e);
        }
        NDManager manager = NDManager.newBaseManager(device);
        try {
            ConvNet net = source.load(manager).net();
            ModelCard card = ModelInput.card(manifest, o.transforms(), name, parameters(net), sha);
            return new TorchClassifier(net, card, device, o.maxBatch(), o.tta(), manager);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /** Learnable parameters of a network (BatchNorm running statistics not counted). */
    public static long parameters(ConvNet net) {
        return net.parametersByPath().values().stream()
                .filter(p -> !ParamPaths.isBuffer(p))
                .mapToLong(p -> p.getArray().size())
                .sum();
    }

    @Override
    public String engine() {
        Engine e = Runtime.init();
        return "libtorch " + e.getVersion() + " (DJL " + Engine.getDjlVersion() + ")";
    }

    /** The network (for exporting it, or inspecting it); do not run it while the classifier is in use. */
    public ConvNet network() {
        return net;
    }

    @Override
    public float[][] logits(float[] pixels, int n) {
        preprocessor().checkBatch(pixels, n);
        ModelCard card = card();
        Batch batch = new Batch(pixels, n, card.channels(), card.height(), card.width(), new int[0], 0, null, null);
        return onInferenceThread(() -> {
            if (pass == null) {
                pass = evaluator.open();
            }
            float[][][] scores = new float[1][][];
            pass.forward(batch, (b, out) -> scores[0] = HostScores.copy(out, card.classes().size()));
            return scores[0];
        });
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        try {
            inference.submit(() -> {
                if (pass != null) {
                    pass.close();
                    pass = null;
                }
            }).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            throw new IllegalStateException("closing the evaluation pass failed", e.getCause());
        } finally {
            inference.shutdown();
            try {
                inference.awaitTermination(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (owner != null) {
                try {
                    owner.close();
                } catch (Exception e) {
                    throw new IllegalStateException("freeing the network failed", e);
                }
            }
        }
    }

    private <T> T onInferenceThread(java.util.concurrent.Callable<T> task) {
        Future<T> f;
        synchronized (this) {
            if (closed) {
                throw closedError();
            }
            f = inference.submit(task);
        }
        try {
            return f.get();
        } catch (InterruptedException e) {
            f.cancel(false);
            Thread.currentThread().interrupt();
            throw new ConvkitException("interrupted while waiting for the network", e);
        } catch (ExecutionException e) {
            throw Futures.cause(e, cause -> new IllegalStateException("inference failed: " + cause, cause));
        }
    }
}
