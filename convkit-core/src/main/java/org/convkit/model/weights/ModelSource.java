package org.convkit.model.weights;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.convkit.core.ConvkitException;
import org.convkit.core.RunFiles;
import org.convkit.model.ConvNet;
import org.convkit.model.ModelOptions;
import org.convkit.model.Zoo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The model a command runs, and everything needed to feed it and read its outputs: the one concept
 * behind every command that takes a model ({@code eval}, {@code predict}, {@code finetune}, {@code
 * export}, {@code serve}, {@code spark}). Two forms:
 *
 * <ul>
 *   <li><b>a convkit checkpoint</b> ({@link #checkpoint}): a checkpoint directory, or a run folder
 *       standing for its {@code checkpoints/best} (else {@code checkpoints/last}). It records
 *       everything: architecture and options, class names, normalization, evaluation transforms.
 *   <li><b>imported weights</b> ({@link #imported}): a zoo architecture and a weights file from
 *       elsewhere (a PyTorch {@code .pth} in the zip or the legacy format, {@code .safetensors};
 *       keys as the reference implementation names them, lined up by position, or renamed by a
 *       {@link KeyMap}), with what a checkpoint would have recorded given by the caller: class
 *       names and normalization.
 * </ul>
 *
 * Either way {@link #manifest()} says what the model is, in the same record a checkpoint's {@code
 * model.json} gives (so a consumer reads the input size, classes and normalization from one
 * place, e.g. {@code eval.ModelInput.pipeline(source.manifest(), null)}), and {@link #load} builds
 * the network with its weights. On the command line: {@code --checkpoint RUN_OR_DIR}, or {@code
 * --model M --weights FILE [--key-map F] [--class-names ...] [--normalize ...]} (the CLI's {@code
 * ModelSourceArgs} mixin).
 *
 * <pre>
 *   ModelSource src = ModelSource.checkpoint(Path.of("runs/fashion"));
 *   ModelSource tv = ModelSource.imported("resnet18", Zoo.get("resnet18").defaults(), Path.of("r18.pth"),
 *           KeyMap.NONE, ModelInfo.of(imagenetClasses, ModelInfo.IMAGENET_MEAN, ModelInfo.IMAGENET_STD));
 *   try (NDManager m = NDManager.newBaseManager()) {
 *       ConvNet net = src.load(m).net();
 *   }
 * </pre>
 */
public final class ModelSource {
    private static final Logger log = LoggerFactory.getLogger(ModelSource.class);

    private final Checkpoint.Manifest manifest;
    private final Path checkpoint;
    private final Path run;
    private final Path weights;
    private final KeyMap keyMap;

    private ModelSource(Checkpoint.Manifest manifest, Path checkpoint, Path run, Path weights, KeyMap keyMap) {
        this.manifest = manifest;
        this.checkpoint = checkpoint;
        this.run = run;
        this.weights = weights;
        this.keyMap = keyMap;
    }

    /**
     * A convkit checkpoint: {@code given} is a checkpoint directory, or a run folder whose {@code
     * checkpoints/best} (else {@code checkpoints/last}) is used.
     *
     * @throws ConvkitException naming {@code given} when it is neither
     */
    public static ModelSource checkpoint(Path given) {
        Path dir = checkpointDir(given, "--checkpoint");
        Path run = null;
        if (!dir.equals(given)) {
            run = given;
        } else {
            // runs/NAME/checkpoints/best: the run is two levels up when it is one
            Path parent = given.toAbsolutePath().normalize().getParent();
            if (parent != null && parent.getFileName() != null && parent.getFileName().toString().equals(RunFiles.CHECKPOINTS)) {
                run = parent.getParent();
            }
        }
        return new ModelSource(Checkpoint.read(dir), dir, run, null, KeyMap.NONE);
    }

    /**
     * The checkpoint directory {@code given} stands for: itself, or a run folder's {@code
     * checkpoints/best}, else {@code checkpoints/last}.
     *
     * @param flag the option that named it, for messages ("--checkpoint", "--from")
     */
    public static Path checkpointDir(Path given, String flag) {
        if (!Files.exists(given)) {
            throw new ConvkitException(flag + " " + given + ": no such file or folder; give a run folder"
                    + " (runs/NAME) or a checkpoint directory (runs/NAME/checkpoints/best)");
        }
        Path found = standsFor(given);
        if (found != null) {
            return found;
        }
        if (isOnnxFile(given)) {
            // predict, serve and spark predict take exported files; the rest need what only a checkpoint holds
            throw new ConvkitException(flag + " " + given + ": an ONNX file holds the network but not a convkit checkpoint"
                    + " (its training config, data and weights as trained); predict, serve and spark predict run it, for"
                    + " this command give the run or checkpoint it was exported from");
        }
        throw new ConvkitException(flag + " " + given + ": neither a checkpoint (no " + Checkpoint.MODEL_JSON
                + ") nor a run folder with " + RunFiles.CHECKPOINTS + "/" + RunFiles.BEST + " or " + RunFiles.CHECKPOINTS + "/" + RunFiles.LAST);
    }

    /**
     * What a path given for weights ({@code --from}) stands for: a convkit checkpoint directory
     * ({@link #checkpointDir}: itself, or a run folder's best, else last), otherwise a weights file
     * as it is.
     *
     * @param flag the option that named it, for messages
     */
    public static Path checkpointOrWeights(Path given, String flag) {
        if (!Files.exists(given)) {
            throw new ConvkitException(flag + " " + given + ": no such file or folder");
        }
        return isCheckpoint(given) || isOnnxFile(given) ? checkpointDir(given, flag) : given;
    }

    /**
     * Whether {@code path} is an exported network ({@code convkit export}) rather than a checkpoint:
     * the ONNX Runtime commands run it, the others say what to give instead.
     */
    public static boolean isOnnxFile(Path path) {
        return Files.isRegularFile(path) && path.getFileName().toString().toLowerCase(java.util.Locale.ROOT).endsWith(".onnx");
    }

    /** True if {@code path} is a checkpoint directory or a run folder holding one. */
    public static boolean isCheckpoint(Path path) {
        return standsFor(path) != null;
    }

    /**
     * The checkpoint directory {@code path} stands for, or null: itself, else a run folder's {@code
     * checkpoints/best}, else its {@code checkpoints/last}.
     */
    private static Path standsFor(Path path) {
        if (!Files.isDirectory(path)) {
            return null;
        }
        for (Path c : List.of(path, RunFiles.bestCheckpoint(path), RunFiles.lastCheckpoint(path))) {
            if (Checkpoint.exists(c)) {
                return c;
            }
        }
        return null;
    }

    /**
     * A zoo architecture with weights from a file.
     *
     * @param architecture the zoo name ("resnet18")
     * @param options how to build it: class count, input size ... ({@link #fitToFile} takes the
     *     class count and channels from the file)
     * @param weights a {@code .pth} / {@code .pt} (torch.save, zip or legacy) or {@code
     *     .safetensors} file
     * @param keyMap renames the file's keys first ({@link KeyMap#NONE} for none)
     * @param info class names (empty: unknown, numbered) and the normalization the weights expect
     *     (ImageNet's for torchvision's weights; none for most d2l models), as a checkpoint records
     *     them
     */
    public static ModelSource imported(String architecture, ModelOptions options, Path weights, KeyMap keyMap,
            ModelInfo info) {
        Zoo.get(architecture); // an unknown name lists the known ones
        if (Files.isDirectory(weights)) {
            throw new ConvkitException("--weights " + weights + ": a folder; for a convkit run or checkpoint use"
                    + " --checkpoint " + weights + " (it knows its model), else give a .pth or .safetensors file");
        }
        if (!Files.isRegularFile(weights)) {
            throw new ConvkitException("--weights " + weights + ": no such file");
        }
        if (!info.classes().isEmpty() && info.classes().size() != options.classes()) {
            throw new ConvkitException("--class-names: " + info.classes().size() + " names for " + architecture
                    + " with " + options.classes() + " classes; give one name per class, in output order");
        }
        if (info.hasNormalization() && info.mean().length != 1 && info.mean().length != options.channels()) {
            throw new ConvkitException("--normalize: " + info.mean().length + " channels of mean/std, " + architecture
                    + " takes " + options.channels());
        }
        Checkpoint.Manifest m = new Checkpoint.Manifest(architecture, options, info, null, null);
        return new ModelSource(m, null, null, weights, keyMap == null ? KeyMap.NONE : keyMap);
    }

    /**
     * Options adjusted to a weights file, and what was adjusted, in words.
     *
     * @param options the options to build with
     * @param notes one line per value taken from the file ("classes: 7, the size of ...")
     */
    public record Fitted(ModelOptions options, List<String> notes) {}

    /**
     * Takes what the shapes in a weights file say (read alone, no tensor data) instead of the
     * model's defaults: the class count from its classifier (the tensor named as the network's
     * first head weight, PyTorch key or convkit path, else the file's last {@code weight} of that
     * rank), the input channels from its first convolution (named as the network's, else the
     * file's first 4-D {@code weight}).
     *
     * @param options the options the caller would build with
     * @param classes whether to take the class count from the file (not when the caller was told)
     * @param channels whether to take the input channels from the file
     */
    public static Fitted fitToFile(String architecture, ModelOptions options, Path weights, KeyMap keyMap,
            boolean classes, boolean channels) {
        if (!classes && !channels) {
            return new Fitted(options, List.of());
        }
        Map<String, Shape> shapes = keyMap.apply(StateDict.shapes(weights));
        List<Map.Entry<String, Shape>> entries = new ArrayList<>(shapes.entrySet());
        ConvNet net = Zoo.create(architecture, options);
        Map<String, Shape> ours = net.parameterShapes();
        List<String> notes = new ArrayList<>();
        ModelOptions o = options;
        if (channels) {
            String first = ours.entrySet().stream().filter(e -> e.getValue().dimension() == 4).map(Map.Entry::getKey)
                    .findFirst().orElse(null);
            Shape s = first == null ? null : named(shapes, net, first);
            for (int i = 0; s == null && first != null && i < entries.size(); i++) {
                if (entries.get(i).getKey().endsWith("weight") && entries.get(i).getValue().dimension() == 4) {
                    s = entries.get(i).getValue();
                }
            }
            if (s != null && s.get(1) != o.channels()) {
                o = o.withInput((int) s.get(1), o.height(), o.width());
                notes.add("input: " + o.inputSpec() + ", " + s.get(1) + " channels as the first convolution in "
                        + weights.getFileName() + " takes (--input-shape to say otherwise)");
            }
        }
        if (classes) {
            Shape head = ours.get("head.0.weight");
            Shape s = head == null ? null : named(shapes, net, "head.0.weight");
            for (int i = entries.size() - 1; s == null && head != null && i >= 0; i--) {
                if (entries.get(i).getKey().endsWith("weight") && entries.get(i).getValue().dimension() == head.dimension()) {
                    s = entries.get(i).getValue();
                }
            }
            if (s != null && s.dimension() > 0 && s.get(0) != o.classes()) {
                o = o.withClasses((int) s.get(0));
                notes.add("classes: " + s.get(0) + ", the size of the classifier in " + weights.getFileName()
                        + " (--classes to say otherwise)");
            }
        }
        return new Fitted(o, notes);
    }

    /** The file's shape for our parameter {@code path}, under its PyTorch key or the path itself. */
    private static Shape named(Map<String, Shape> shapes, ConvNet net, String path) {
        Shape s = shapes.get(net.torchKeys().toTorch(path).orElse(path));
        return s != null ? s : shapes.get(path);
    }

    /** True for a convkit checkpoint, false for imported weights. */
    public boolean isCheckpoint() {
        return checkpoint != null;
    }

    /** The checkpoint directory (a convkit checkpoint only). */
    public Optional<Path> checkpointDir() {
        return Optional.ofNullable(checkpoint);
    }

    /** The run folder the checkpoint belongs to, when there is one (its config.json names the data). */
    public Optional<Path> run() {
        return Optional.ofNullable(run);
    }

    /** The weights file (imported weights only). */
    public Optional<Path> weightsFile() {
        return Optional.ofNullable(weights);
    }

    public KeyMap keyMap() {
        return keyMap;
    }

    /**
     * What the model is: architecture, options, class names, normalization, extra facts (the
     * evaluation transforms a trainer recorded). For imported weights {@code convkitVersion} and
     * {@code created} are null.
     */
    public Checkpoint.Manifest manifest() {
        return manifest;
    }

    public String architecture() {
        return manifest.architecture();
    }

    /** The checkpoint directory, or the weights file: what a header line names. */
    public String describe() {
        return isCheckpoint() ? checkpoint.toString() : weights.toString();
    }

    /**
     * Builds the network, initializes it in {@code manager} (which then owns its parameters) and
     * loads the weights, strictly: every parameter must get a value. How imported weights were
     * matched (by name, by position with the mapping) is logged.
     */
    public Checkpoint.Loaded load(NDManager manager) {
        if (isCheckpoint()) {
            return Checkpoint.load(checkpoint, manager);
        }
        ConvNet net = Zoo.create(manifest.architecture(), manifest.options()).initialize(manager);
        LoadReport r = Weights.load(net, weights, false, keyMap);
        log.info(r.summary());
        return new Checkpoint.Loaded(net, manifest.info(), manifest);
    }

    /**
     * Loads the weights into {@code net} (initialized, of this architecture), for fine-tuning or
     * comparing: with {@code ignoreHead} the classifier keeps its values and the class counts may
     * differ.
     */
    public LoadReport loadInto(ConvNet net, boolean ignoreHead) {
        if (isCheckpoint()) {
            return Checkpoint.loadInto(checkpoint, net, ignoreHead);
        }
        return Weights.load(net, weights, ignoreHead, keyMap);
    }

    @Override
    public String toString() {
        return (isCheckpoint() ? "checkpoint " : "weights ") + describe() + " (" + manifest.architecture() + ")";
    }
}
