package org.convkit.model;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.util.PairList;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.IntFunction;
import org.convkit.core.EngineSettings;
import org.convkit.model.engine.EngineCheck;
import org.convkit.model.layers.EngineScope;
import org.convkit.model.layers.MemoryFormat;

/**
 * A classification network as every family in the zoo builds it: a {@link Backbone} that turns an
 * image into a feature vector, and {@link Heads} that turn the features into class scores.
 *
 * <p>The split is what fine-tuning needs (timm's forward_features / forward_head): freezing acts
 * on backbone stages, a new dataset replaces the head. The forward pass returns one logits array
 * per head, shape (N, classes).
 *
 * <p>A network runs with its own {@link EngineSettings} (layout, BatchNorm folding, ...): those
 * given to {@link #setEngine}, else the ones the engine self-check chose for this process ({@link
 * EngineCheck#settings()}), taken when first needed.
 */
public final class ConvNet extends AbstractBlock {
    private final String architecture;
    private ModelOptions options;
    private final Backbone backbone;
    private Heads heads;
    private final IntFunction<Block> headFactory;
    private final TorchKeys torchKeys;
    private final Initializer weightInit;
    private NDManager manager;
    /** When set, forward takes backbone features of this shape (batch axis first) instead of images. */
    private Shape featureInput;
    /** How this network runs; null until given or first needed. */
    private EngineSettings engine;
    /** The layout its conv weights are stored in now (fresh or loaded weights are NCHW). */
    private EngineSettings.Layout storedLayout = EngineSettings.Layout.NCHW;

    /**
     * @param architecture the zoo name ("resnet18"); stored in checkpoints to rebuild the network
     * @param options the options it was built with
     * @param backbone stages from image to feature vector
     * @param headFactory one head for a class count (usually a Linear)
     * @param torchKeys how our parameter paths map to the reference PyTorch implementation's keys
     * @param weightInit initializer for conv / linear weights (the reference implementation's)
     */
    public ConvNet(
            String architecture,
            ModelOptions options,
            Backbone backbone,
            IntFunction<Block> headFactory,
            TorchKeys torchKeys,
            Initializer weightInit) {
        this.architecture = architecture;
        this.options = options;
        this.backbone = addChildBlock("backbone", backbone);
        this.headFactory = headFactory;
        this.heads = addChildBlock("head", new Heads(options.heads(), options.classes(), headFactory));
        this.torchKeys = torchKeys;
        this.weightInit = weightInit;
        setInitializer(weightInit, Parameter.Type.WEIGHT);
    }

    public String architecture() {
        return architecture;
    }

    public ModelOptions options() {
        return options;
    }

    public Backbone backbone() {
        return backbone;
    }

    public Heads heads() {
        return heads;
    }

    public TorchKeys torchKeys() {
        return torchKeys;
    }

    /** One input image's shape, (C, H, W). */
    public Shape imageShape() {
        return new Shape(options.channels(), options.height(), options.width());
    }

    /** A batch-of-one input shape, (1, C, H, W). */
    public Shape inputShape() {
        return new Shape(1, options.channels(), options.height(), options.width());
    }

    /** Width of the feature vector the backbone produces (what a head receives). */
    public long featureSize() {
        return backbone.getOutputShapes(new Shape[] {inputShape()})[0].get(1);
    }

    /**
     * Switches what {@code forward} takes: with {@code on}, backbone features (one flat vector per
     * sample, reshaped to the backbone's output) go straight to the heads and the backbone is
     * skipped; off (the default), images. Fine-tuning trains a head on cached features this way:
     * the network trained and checkpointed is the whole one, its backbone untouched.
     */
    public void setFeatureInput(boolean on) {
        featureInput = on ? backbone.getOutputShapes(new Shape[] {inputShape()})[0] : null;
    }

    public boolean featureInput() {
        return featureInput != null;
    }

    /**
     * The settings this network runs with: those given to {@link #setEngine}, else the process's
     * checked ones (which runs the engine self-check if this process has not yet).
     */
    public EngineSettings engine() {
        if (engine == null) {
            engine = EngineCheck.settings();
        }
        return engine;
    }

    /**
     * Runs this network with {@code settings} from now on; an initialized network's conv weights
     * are stored again in the new layout. Returns this network.
     */
    public ConvNet setEngine(EngineSettings settings) {
        this.engine = java.util.Objects.requireNonNull(settings, "settings");
        if (manager != null) {
            layoutWeights();
        }
        return this;
    }

    /** Allocates and initializes all parameters in {@code manager} (which then owns them). */
    public ConvNet initialize(NDManager manager) {
        this.manager = manager;
        initialize(manager, DataType.FLOAT32, inputShape());
        storedLayout = EngineSettings.Layout.NCHW;
        layoutWeights();
        return this;
    }

    /** Stores the conv weights in the layout of {@link #engine()}, unless they are so already. */
    private void layoutWeights() {
        EngineSettings.Layout want = engine().layout();
        if (want != storedLayout) {
            MemoryFormat.apply(this, want);
            storedLayout = want;
        }
    }

    /**
     * Call after code that wrote NCHW storage into the parameters (loading weights does): the conv
     * weights go back to the layout this network runs with.
     */
    public void weightsReplaced() {
        storedLayout = EngineSettings.Layout.NCHW;
        layoutWeights();
    }

    /**
     * Replaces the classifier with {@code count} fresh heads of {@code classes} classes each; the
     * backbone is untouched. Initialized at once if the network is.
     */
    public void replaceHead(int classes, int count) {
        Heads fresh = new Heads(count, classes, headFactory);
        fresh.setInitializer(weightInit, Parameter.Type.WEIGHT);
        children.remove(1);
        heads = addChildBlock("head", fresh);
        options = options.withClasses(classes).withHeads(count);
        if (manager != null) {
            Shape features = backbone.getOutputShapes(new Shape[] {inputShape()})[0];
            fresh.initialize(manager, DataType.FLOAT32, features);
        }
    }

    /** Parameters (and BatchNorm statistics) by path, e.g. "backbone.layer1.0.conv1.weight". */
    public Map<String, Parameter> parametersByPath() {
        return ParamPaths.of(this);
    }

    /**
     * The shape of every parameter (and BatchNorm statistic) by path, e.g. to check a state dict
     * against the network before loading it. Works on an uninitialized network without drawing
     * weights (see {@link DryRun}).
     */
    public Map<String, Shape> parameterShapes() {
        return DryRun.of(this, () -> {
            Map<String, Shape> shapes = new LinkedHashMap<>();
            parametersByPath().forEach((path, p) -> shapes.put(path, p.getArray().getShape()));
            return shapes;
        });
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        // the layers inside read this network's settings from the scope (see EngineScope)
        try (EngineScope ignored = EngineScope.enter(engine())) {
            if (featureInput != null) {
                Shape perSample = featureInput.slice(1);
                NDList features = new NDList(inputs.head().reshape(new Shape(-1).addAll(perSample)));
                return heads.forward(ps, features, training);
            }
            NDList features = backbone.forward(ps, inputs, training);
            return heads.forward(ps, features, training);
        }
    }

    @Override
    protected void initializeChildBlocks(NDManager m, DataType dataType, Shape... inputShapes) {
        backbone.initialize(m, dataType, inputShapes);
        heads.initialize(m, dataType, backbone.getOutputShapes(inputShapes));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return heads.getOutputShapes(backbone.getOutputShapes(inputShapes));
    }

    @Override
    public String toString() {
        return architecture + "(" + options.inputSpec() + " -> " + options.heads() + "x"
                + options.classes() + ")";
    }
}
