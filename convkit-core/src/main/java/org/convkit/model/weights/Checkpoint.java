package org.convkit.model.weights;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.convkit.core.AtomicFiles;
import org.convkit.core.ConvkitException;
import org.convkit.core.Json;
import org.convkit.model.ConvNet;
import org.convkit.model.ModelOptions;
import org.convkit.model.Zoo;

/**
 * A checkpoint: one directory holding everything needed to use a model again, or to resume
 * training it.
 *
 * <pre>
 *   model.json             architecture (zoo name) and ModelOptions, class names, input CxHxW,
 *                          normalization mean/std, extra facts, convkit version, creation time
 *   weights.safetensors    every parameter and BatchNorm statistic under its path
 *                          (backbone.layer1.0.bn1.running_mean ...), float32
 *   training.json          only when training: epoch, step, the trainer's free-form state
 *   optimizer.safetensors  only when training: the optimizer's tensors, by the trainer's names
 * </pre>
 *
 * <p>Saving replaces the directory atomically ({@link AtomicFiles#writeDirectory}): a crash leaves
 * the previous checkpoint or the new one, never a mix; loading first finishes an interrupted save.
 * {@code model.json} is written last and marks a complete directory.
 */
public final class Checkpoint {
    public static final String MODEL_JSON = "model.json";
    public static final String WEIGHTS = "weights.safetensors";
    public static final String TRAINING_JSON = "training.json";
    public static final String OPTIMIZER = "optimizer.safetensors";
    static final String FORMAT = "convkit-checkpoint";
    static final int FORMAT_VERSION = 1;

    private static final ObjectMapper JSON = Json.mapper();

    private Checkpoint() {}

    /**
     * What {@code model.json} says: enough to rebuild the network and prepare its inputs.
     *
     * @param architecture zoo name, e.g. "resnet18"
     * @param options the options the network was built with (classes, input CxHxW ...)
     * @param info class names, normalization, extra facts
     * @param convkitVersion the convkit that wrote it ("dev" from a source build)
     * @param created when it was written
     */
    public record Manifest(String architecture, ModelOptions options, ModelInfo info, String convkitVersion,
            Instant created) implements java.io.Serializable {}

    /**
     * A loaded checkpoint, for using the network. Its parameters belong to the manager given to
     * {@link #load}; closing that manager frees them. The training state is read only by a resume
     * ({@link #readTraining}): evaluation and prediction never need the optimizer's tensors.
     *
     * @param net the network, initialized, weights loaded
     * @param info class names, normalization, extra facts
     * @param manifest everything model.json says
     */
    public record Loaded(ConvNet net, ModelInfo info, Manifest manifest) {}

    /**
     * Writes {@code net} (initialized) with {@code info} and, when not {@code null}, the training
     * state into directory {@code dir}, replacing what was there atomically.
     */
    public static void save(Path dir, ConvNet net, ModelInfo info, TrainingState training) {
        ModelInfo meta = info == null ? ModelInfo.empty() : info;
        check(dir, net, meta);
        Map<String, NDArray> weights = new LinkedHashMap<>();
        long count = 0;
        for (Map.Entry<String, Parameter> e : net.parametersByPath().entrySet()) {
            NDArray a = e.getValue().getArray();
            weights.put(e.getKey(), a);
            count += a.size();
        }
        ObjectNode model = manifestJson(net, meta, weights.size(), count);
        try {
            AtomicFiles.writeDirectory(dir, MODEL_JSON, tmp -> {
                AtomicFiles.writeSynced(tmp.resolve(WEIGHTS), out -> SafeTensors.write(out, weights));
                if (training != null) {
                    if (!training.tensors().isEmpty()) {
                        AtomicFiles.writeSynced(tmp.resolve(OPTIMIZER), out -> SafeTensors.write(out, training.tensors()));
                    }
                    ObjectNode t = JSON.createObjectNode();
                    t.put("epoch", training.epoch());
                    t.put("step", training.step());
                    t.set("state", JSON.valueToTree(training.state()));
                    AtomicFiles.writeSynced(tmp.resolve(TRAINING_JSON), out -> Json.pretty().writeValue(out, t));
                }
                AtomicFiles.writeSynced(tmp.resolve(MODEL_JSON), out -> Json.pretty().writeValue(out, model)); // last: marks complete
            });
        } catch (IOException e) {
            throw new ConvkitException("checkpoint " + dir + ": cannot write (" + e.getMessage() + ")", e);
        }
    }

    /**
     * Whether weights given as {@code file} are a checkpoint directory rather than a weights file.
     * A {@code --key-map} is refused with one: it renames a weights file's keys, and a checkpoint's
     * keys are the network's own.
     */
    public static boolean isCheckpoint(Path file, KeyMap keyMap) {
        if (!Files.isDirectory(file) || !exists(file)) {
            return false;
        }
        if (!keyMap.isEmpty()) {
            throw new ConvkitException("--key-map renames the keys of a weights file; " + file
                    + " is a convkit checkpoint, whose keys are the network's own: leave --key-map out");
        }
        return true;
    }

    /** True if {@code dir} holds a checkpoint (after finishing an interrupted save). */
    public static boolean exists(Path dir) {
        try {
            return AtomicFiles.recoverDirectory(dir, MODEL_JSON) && Files.isRegularFile(dir.resolve(MODEL_JSON));
        } catch (IOException e) {
            throw new ConvkitException("checkpoint " + dir + ": cannot recover an interrupted save ("
                    + e.getMessage() + ")", e);
        }
    }

    /** Reads {@code model.json} only: what the network is, without building it. */
    public static Manifest read(Path dir) {
        requireExists(dir);
        Path file = dir.resolve(MODEL_JSON);
        JsonNode root;
        try {
            root = JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new ConvkitException(file + ": not readable JSON (" + e.getMessage() + ")", e);
        }
        if (root == null || !FORMAT.equals(root.path("format").asText())) {
            throw new ConvkitException(file + ": not a convkit checkpoint (no \"format\": \"" + FORMAT + "\")");
        }
        if (root.path("formatVersion").asInt() > FORMAT_VERSION) {
            throw new ConvkitException(file + ": written by a newer convkit (" + root.path("convkit").asText()
                    + ", format " + root.path("formatVersion").asInt() + "); update convkit to read it");
        }
        String arch = root.path("architecture").asText();
        if (!Zoo.names().contains(arch)) {
            throw new ConvkitException(file + ": architecture '" + arch + "' is not in this convkit's zoo (known: "
                    + String.join(", ", Zoo.names()) + ")");
        }
        try {
            // saved options over the architecture's defaults: a field added to ModelOptions later
            // gets its default instead of breaking old checkpoints
            ObjectNode options = JSON.valueToTree(Zoo.get(arch).defaults());
            options.setAll((ObjectNode) root.get("options"));
            ModelOptions o = Json.lenient(ModelOptions.class).readValue(options);
            List<String> classes = JSON.convertValue(root.path("classes"), new TypeReference<List<String>>() {});
            JsonNode norm = root.path("normalization");
            float[] mean = norm.isObject() ? JSON.treeToValue(norm.get("mean"), float[].class) : null;
            float[] std = norm.isObject() ? JSON.treeToValue(norm.get("std"), float[].class) : null;
            Map<String, Object> extra = root.has("extra")
                    ? JSON.convertValue(root.get("extra"), new TypeReference<Map<String, Object>>() {}) : Map.of();
            Instant created = root.has("created") ? Instant.parse(root.get("created").asText()) : null;
            return new Manifest(arch, o, new ModelInfo(classes, mean, std, extra), root.path("convkit").asText("?"), created);
        } catch (IOException | IllegalArgumentException | ClassCastException | DateTimeParseException e) {
            throw new ConvkitException(file + ": corrupt checkpoint description (" + e.getMessage() + ")", e);
        }
    }

    /**
     * Rebuilds the network a checkpoint describes, initializes it in {@code manager} and loads its
     * weights.
     */
    public static Loaded load(Path dir, NDManager manager) {
        Manifest m = read(dir);
        ConvNet net = Zoo.create(m.architecture(), m.options()).initialize(manager);
        loadWeights(dir, net, false);
        return new Loaded(net, m.info(), m);
    }

    /**
     * Loads a checkpoint's weights into an existing, initialized network of the same architecture
     * and class count (e.g. to resume, or to evaluate with a network built from flags).
     *
     * @throws ConvkitException naming both architectures / class counts when they differ, or
     *     listing the tensors that do not fit
     */
    public static LoadReport loadInto(Path dir, ConvNet net) {
        return loadInto(dir, net, false);
    }

    /**
     * As {@link #loadInto(Path, ConvNet)}; with {@code ignoreHead} the classifier is left as it is
     * and the class counts may differ (fine-tuning a checkpoint for new classes).
     */
    public static LoadReport loadInto(Path dir, ConvNet net, boolean ignoreHead) {
        Manifest m = read(dir);
        ModelOptions o = m.options();
        ModelOptions n = net.options();
        boolean sameHead = o.classes() == n.classes() && o.heads() == n.heads();
        if (!m.architecture().equals(net.architecture()) || (!ignoreHead && !sameHead)) {
            throw new ConvkitException("checkpoint " + dir + " holds " + m.architecture() + " with "
                    + (o.heads() > 1 ? o.heads() + " heads of " : "") + o.classes() + " classes; the network is "
                    + net.architecture() + " with " + (n.heads() > 1 ? n.heads() + " heads of " : "") + n.classes()
                    + " classes. Use --model " + m.architecture() + " --classes " + o.classes()
                    + (m.architecture().equals(net.architecture()) ? ", or --ignore-head for a new classifier" : "")
                    + ".");
        }
        return loadWeights(dir, net, ignoreHead);
    }

    /** Reads {@code training.json} and {@code optimizer.safetensors}, if present. */
    public static Optional<TrainingState> readTraining(Path dir, NDManager manager) {
        requireExists(dir);
        Path file = dir.resolve(TRAINING_JSON);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        JsonNode t;
        try {
            t = JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new ConvkitException(file + ": not readable JSON (" + e.getMessage() + ")", e);
        }
        Map<String, Object> state = JSON.convertValue(t.path("state"), new TypeReference<Map<String, Object>>() {});
        Path opt = dir.resolve(OPTIMIZER);
        Map<String, NDArray> tensors = Files.isRegularFile(opt) ? SafeTensors.read(opt, manager) : Map.of();
        return Optional.of(new TrainingState(t.path("epoch").asInt(), t.path("step").asLong(), state, tensors));
    }

    private static LoadReport loadWeights(Path dir, ConvNet net, boolean ignoreHead) {
        Path file = dir.resolve(WEIGHTS);
        if (!Files.isRegularFile(file)) {
            throw new ConvkitException("checkpoint " + dir + ": " + WEIGHTS + " is missing");
        }
        // decoded tensors live in a manager of their own, closed as soon as they are copied
        try (NDManager tmp = NDManager.newBaseManager(ai.djl.Device.cpu())) {
            Map<String, NDArray> tensors = SafeTensors.read(file, tmp);
            return WeightLoader.load(net, tensors, file.toString(), WeightLoader.KeyStyle.CONVKIT, ignoreHead, true);
        }
    }

    private static void requireExists(Path dir) {
        if (!exists(dir)) {
            throw new ConvkitException("checkpoint " + dir + ": not found (expected a directory with " + MODEL_JSON
                    + ")");
        }
    }

    private static void check(Path dir, ConvNet net, ModelInfo info) {
        ModelOptions o = net.options();
        if (!info.classes().isEmpty() && info.classes().size() != o.classes()) {
            throw new ConvkitException("checkpoint " + dir + ": " + info.classes().size()
                    + " class names for a network with " + o.classes() + " classes");
        }
        if (info.hasNormalization() && info.mean().length != o.channels()) {
            throw new ConvkitException("checkpoint " + dir + ": normalization for " + info.mean().length
                    + " channels, the network takes " + o.channels());
        }
        for (Parameter p : net.parametersByPath().values()) {
            if (!p.isInitialized()) {
                throw new IllegalStateException("save an initialized network (ConvNet.initialize) to " + dir);
            }
        }
    }

    private static ObjectNode manifestJson(ConvNet net, ModelInfo info, int tensors, long params) {
        ObjectNode root = JSON.createObjectNode();
        root.put("format", FORMAT);
        root.put("formatVersion", FORMAT_VERSION);
        root.put("architecture", net.architecture());
        root.set("options", JSON.valueToTree(net.options()));
        root.put("input", net.options().inputSpec());
        ArrayNode classes = root.putArray("classes");
        info.classes().forEach(classes::add);
        if (info.hasNormalization()) {
            ObjectNode norm = root.putObject("normalization");
            norm.set("mean", JSON.valueToTree(info.mean()));
            norm.set("std", JSON.valueToTree(info.std()));
        }
        if (!info.extra().isEmpty()) {
            root.set("extra", JSON.valueToTree(info.extra()));
        }
        ObjectNode w = root.putObject("weights");
        w.put("file", WEIGHTS);
        w.put("tensors", tensors);
        w.put("values", params);
        root.put("convkit", version());
        root.put("created", Instant.now().toString());
        return root;
    }

    /** The convkit version from the jar's manifest, "dev" when running from classes. */
    static String version() {
        String v = Checkpoint.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }
}
