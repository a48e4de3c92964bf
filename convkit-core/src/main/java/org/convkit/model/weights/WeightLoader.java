package org.convkit.model.weights;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.jni.JniUtils;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.convkit.core.ConvkitException;
import org.convkit.model.ConvNet;

/**
 * Copies named tensors into a network's parameters (weights and BatchNorm running statistics),
 * after checking that names, shapes and types all fit. Names are either our parameter paths
 * ({@code backbone.layer1.0.conv1.weight}, what checkpoints store) or the PyTorch implementation's
 * state-dict keys ({@code layer1.0.conv1.weight}, via the network's {@code TorchKeys}).
 */
public final class WeightLoader {
    /** Which names the tensors carry. */
    public enum KeyStyle {
        /** our parameter paths */
        CONVKIT,
        /** the reference PyTorch implementation's state-dict keys (torchvision; timm for resnet) */
        TORCH,
        /** whichever of the two matches more of the file's keys */
        AUTO
    }

    private static final String HEAD = "head.";

    private WeightLoader() {}

    /**
     * Loads {@code tensors} into {@code net} (which must be initialized).
     *
     * @param source named in messages: the file the tensors came from
     * @param ignoreHead leave the classifier as it is (a new head for a new class count)
     * @param strict fail, changing nothing, unless every parameter (but a skipped head) gets a
     *     value and every tensor of the file is used
     * @return what was loaded, missing, left over
     * @throws ConvkitException in strict mode when anything does not fit, listing it all
     */
    public static LoadReport load(ConvNet net, Map<String, NDArray> tensors, String source, KeyStyle style,
            boolean ignoreHead, boolean strict) {
        return load(net, tensors, source, style, ignoreHead, strict, false);
    }

    /**
     * As {@link #load(ConvNet, Map, String, KeyStyle, boolean, boolean)}; when the names do not
     * match and {@code inFileOrder}, the tensors are matched by position if they all line up in
     * order, shape and kind ({@link LoadReport#byPosition()} holds the mapping).
     *
     * @param inFileOrder {@code tensors} iterate in the order of the file's state dict, which is the
     *     order the model registered them (torch.save keeps it; safetensors does not)
     */
    public static LoadReport load(ConvNet net, Map<String, NDArray> tensors, String source, KeyStyle style,
            boolean ignoreHead, boolean strict, boolean inFileOrder) {
        Map<String, Parameter> ours = net.parametersByPath();
        if (style == KeyStyle.AUTO) {
            style = score(torchNames(net, ours).keySet(), tensors) > score(ours.keySet(), tensors)
                    ? KeyStyle.TORCH : KeyStyle.CONVKIT;
        }
        Map<String, String> names = style == KeyStyle.TORCH ? torchNames(net, ours) : identity(ours);

        List<String> missing = new ArrayList<>();
        List<String> wrong = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        Map<Parameter, NDArray> matched = new LinkedHashMap<>();
        Set<String> used = new LinkedHashSet<>();
        for (Map.Entry<String, String> e : names.entrySet()) {
            String key = e.getKey();
            Parameter p = ours.get(e.getValue());
            boolean head = e.getValue().startsWith(HEAD);
            NDArray t = tensors.get(key);
            if (t != null) {
                used.add(key);
            }
            if (ignoreHead && head) {
                skipped.add(key);
            } else if (t == null) {
                missing.add(key + " " + p.getArray().getShape());
            } else if (!t.getShape().equals(p.getArray().getShape())) {
                wrong.add(key + ": file " + t.getShape() + ", model " + p.getArray().getShape());
            } else if (!t.getDataType().isFloating()) {
                wrong.add(key + ": file holds " + t.getDataType() + ", model needs floating point");
            } else {
                matched.put(p, t);
            }
        }
        List<String> unexpected = new ArrayList<>();
        for (Map.Entry<String, NDArray> e : tensors.entrySet()) {
            String key = e.getKey();
            // PyTorch counts BatchNorm updates; nothing here uses the count. With ignoreHead the
            // file's classifier may have other heads than the network (4 digit heads -> 1 class head)
            boolean otherHead = ignoreHead && style == KeyStyle.CONVKIT && key.startsWith(HEAD);
            if (!used.contains(key) && !key.endsWith("num_batches_tracked") && !otherHead) {
                unexpected.add(key + " " + e.getValue().getShape());
            }
        }
        String styleName = style == KeyStyle.TORCH ? "pytorch" : "convkit";
        LoadReport report = new LoadReport(source, styleName, matched.size(), missing, unexpected, wrong, skipped, List.of());
        if (!report.complete()) {
            // the names differ: a file whose tensors line up one-to-one, in order, shape and kind, is
            // the same network defined another way (d2l's Sequential with a Reshape in front ...)
            Positional pos = inFileOrder ? byPosition(net, ours, tensors, ignoreHead)
                    : new Positional(Map.of(), List.of(), List.of(), "a safetensors file does not keep the order of the"
                            + " state dict it was made from, so its tensors cannot be matched by position");
            if (pos.mismatch() == null) {
                matched = pos.pairs();
                report = new LoadReport(source, "position", matched.size(), List.of(), List.of(), List.of(), pos.skipped(),
                        pos.mapping());
            } else if (strict) {
                throw new ConvkitException("weights " + source + " do not fit " + describe(net) + " ("
                        + (style == KeyStyle.TORCH ? "PyTorch" : "convkit") + " key names, " + matched.size() + " of "
                        + names.size() + " parameters match):" + report.problems() + "\n"
                        + hint(net, report, names, tensors, matched.size(), pos.mismatch()));
            }
        }
        // as torch's load_state_dict, under no_grad: libtorch refuses an in-place copy into a
        // parameter that requires grad while recording, and recording is on in every thread but the
        // one that loaded the engine (a server's, a Spark task's)
        boolean recording = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try {
            for (Map.Entry<Parameter, NDArray> e : matched.entrySet()) {
                copy(e.getValue(), e.getKey().getArray());
            }
        } finally {
            JniUtils.setGradMode(recording);
        }
        // set() stores NCHW: put the conv weights back in the layout the network runs with
        net.weightsReplaced();
        return report;
    }

    /** "resnet18 (3x224x224, 1000 classes)". */
    static String describe(ConvNet net) {
        var o = net.options();
        return net.architecture() + " (" + o.inputSpec() + ", " + (o.heads() > 1 ? o.heads() + " heads of " : "")
                + o.classes() + " classes)";
    }

    /**
     * Copies values in place (the parameter keeps its array, device and gradient), converting
     * float16/float64 to the parameter's type. An in-place indexed copy rather than
     * {@code NDArray.set(Buffer)}, which makes libtorch print a deprecation warning.
     */
    private static void copy(NDArray from, NDArray to) {
        if (from.getDataType() == to.getDataType()) {
            setAll(to, from);
            return;
        }
        try (NDArray converted = from.toType(to.getDataType(), false)) {
            setAll(to, converted);
        }
    }

    private static void setAll(NDArray to, NDArray from) {
        if (to.getShape().dimension() == 0) { // a scalar has no axis to slice
            to.set(from.toByteBuffer());
        } else {
            to.set(new NDIndex(":"), from);
        }
    }

    /**
     * The file's tensors matched to the network's parameters by position, or why they cannot be.
     *
     * @param pairs parameter -> tensor, when everything lines up
     * @param mapping "file key -> network key [shape]" per tensor, in order
     * @param skipped the classifier's keys under ignoreHead
     * @param mismatch the first thing that does not line up, or null
     */
    private record Positional(Map<Parameter, NDArray> pairs, List<String> mapping, List<String> skipped,
            String mismatch) {}

    /**
     * Lines the file's tensors up with the network's parameters in order: the same count, and one
     * by one the same shape and the same kind, the key's last part ({@code weight}, {@code bias},
     * {@code running_mean}, {@code running_var}: a BatchNorm's four tensors share a shape, so shape
     * alone would not catch a swap). {@code num_batches_tracked} is left out on the file's side, as
     * when matching by name. Under {@code ignoreHead} the classifier must line up in kind only.
     */
    private static Positional byPosition(ConvNet net, Map<String, Parameter> ours, Map<String, NDArray> tensors,
            boolean ignoreHead) {
        List<Map.Entry<String, NDArray>> file = new ArrayList<>();
        tensors.entrySet().stream().filter(e -> !e.getKey().endsWith("num_batches_tracked")).forEach(file::add);
        List<String> paths = new ArrayList<>(ours.keySet());
        Map<Parameter, NDArray> pairs = new LinkedHashMap<>();
        List<String> mapping = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        if (file.size() != paths.size()) {
            return new Positional(pairs, mapping, skipped, "the file has " + file.size()
                    + " tensors (num_batches_tracked not counted), the network " + paths.size());
        }
        for (int i = 0; i < paths.size(); i++) {
            String path = paths.get(i);
            String ourKey = net.torchKeys().toTorch(path).orElse(path);
            Parameter p = ours.get(path);
            String key = file.get(i).getKey();
            NDArray t = file.get(i).getValue();
            String theirs = "tensor " + (i + 1) + " of the file, " + key + " " + t.getShape();
            String mine = "the network's " + ourKey + " " + p.getArray().getShape();
            if (!lastPart(key).equals(lastPart(ourKey))) {
                return new Positional(pairs, mapping, skipped, theirs + ", is a " + lastPart(key)
                        + " where " + mine + " is a " + lastPart(ourKey));
            }
            if (ignoreHead && path.startsWith(HEAD)) {
                skipped.add(ourKey);
                continue;
            }
            if (!t.getShape().equals(p.getArray().getShape())) {
                return new Positional(pairs, mapping, skipped, theirs + ", does not have the"
                        + " shape of " + mine);
            }
            if (!t.getDataType().isFloating()) {
                return new Positional(pairs, mapping, skipped, theirs + ", holds "
                        + t.getDataType() + " where " + mine + " needs floating point");
            }
            pairs.put(p, t);
            mapping.add(key + " -> " + ourKey + " " + t.getShape());
        }
        return new Positional(pairs, mapping, skipped, null);
    }

    /** "weight" of "features.0.weight". */
    private static String lastPart(String key) {
        return key.substring(key.lastIndexOf('.') + 1);
    }

    /** torch key -> our path, for every parameter that has a torch counterpart; the rest by path. */
    private static Map<String, String> torchNames(ConvNet net, Map<String, Parameter> ours) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String path : ours.keySet()) {
            out.put(net.torchKeys().toTorch(path).orElse(path), path);
        }
        return out;
    }

    private static Map<String, String> identity(Map<String, Parameter> ours) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String path : ours.keySet()) {
            out.put(path, path);
        }
        return out;
    }

    private static int score(Set<String> names, Map<String, NDArray> tensors) {
        int n = 0;
        for (String k : tensors.keySet()) {
            if (names.contains(k)) {
                n++;
            }
        }
        return n;
    }

    /** What to do about it: the likely cause of the mismatch, in the user's terms. */
    private static String hint(ConvNet net, LoadReport r, Map<String, String> names, Map<String, NDArray> tensors,
            int matched, String byPosition) {
        Set<String> headKeys = new LinkedHashSet<>();
        names.forEach((key, path) -> {
            if (path.startsWith(HEAD)) {
                headKeys.add(key);
            }
        });
        boolean onlyHead = r.missing().stream().allMatch(m -> headKeys.contains(key(m)))
                && r.wrongShape().stream().allMatch(m -> headKeys.contains(key(m)))
                && r.unexpected().isEmpty();
        if (onlyHead) {
            Long fileClasses = headKeys.stream().map(tensors::get)
                    .filter(t -> t != null && t.getShape().dimension() == 2)
                    .map(t -> t.getShape().get(0)).findFirst().orElse(null);
            return "Only the classifier differs" + (fileClasses == null ? "" : " (the file has " + fileClasses
                    + " classes, the network " + net.options().classes() + ")") + ": use "
                    + (fileClasses == null ? "" : "--classes " + fileClasses + " to keep it, or ")
                    + "--ignore-head to load everything else and train a new classifier.";
        }
        List<String> fits = Identify.architectures(tensors);
        fits.remove(net.architecture());
        if (!fits.isEmpty()) {
            return "The file fits " + String.join(", ", fits) + " (at its published defaults): use --model "
                    + fits.get(0) + ".";
        }
        if (matched < names.size() / 2) {
            return "Most keys do not match, nor do the tensors line up by position: " + byPosition
                    + ". The file probably holds another architecture than "
                    + net.architecture() + ", or was built with other options (--width, --stem, --input, --classes);"
                    + " if it is the same network under other names, --key-map FILE renames its keys.";
        }
        return "Check --model and its options against how the weights were made;"
                + " --ignore-head skips the classifier.";
    }

    private static String key(String entry) {
        return entry.split("[ :]", 2)[0];
    }
}
