package org.convkit.model.weights;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.nn.Parameter;
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
        if (strict && !report.complete()) {
            throw new ConvkitException("weights " + source + " do not fit " + describe(net) + " (" + (style == KeyStyle.TORCH ? "PyTorch" : "convkit")
                    + " key names, " + matched.size() + " of " + names.size() + " parameters match):"
                    + report.problems() + "\n" + hint(net, report, names, tensors, matched.size()));
        }
        for (Map.Entry<Parameter, NDArray> e : matched.entrySet()) {
            copy(e.getValue(), e.getKey().getArray());
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
            int matched) {
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
            return "Most keys do not match: the file probably holds another architecture than "
                    + net.architecture() + ", or was built with other options (--width, --stem, --input).";
        }
        return "Check --model and its options against how the weights were made;"
                + " --ignore-head skips the classifier.";
    }

    private static String key(String entry) {
        return entry.split("[ :]", 2)[0];
    }
}
