package org.convkit.transfer;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Parameter;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.convkit.core.ConvkitException;
import org.convkit.model.Backbone;
import org.convkit.model.ConvNet;
import org.convkit.model.ParamPaths;

/**
 * Freezing made explicit: which backbone stages train, how many parameters that leaves trainable
 * and frozen per stage, and a fingerprint of everything frozen (weights and BatchNorm running
 * statistics) to prove afterwards that nothing frozen moved.
 *
 * <p>A frozen stage ({@link Backbone#setFrozen}) gets no gradient and runs in evaluation mode, so
 * its BatchNorm statistics hold too; DJL's freezeParameters alone stops only the gradient. One
 * misspelled attribute ({@code requirse_grad}) once left a "frozen" backbone training in silence:
 * here the stage names are checked, the counts are printed and the fingerprint is compared.
 */
public final class Freezing {
    /** The pseudo-stage the counts list the classifier under. */
    public static final String HEAD = "head";

    private Freezing() {}

    /**
     * Parameters of one stage.
     *
     * @param stage a backbone stage name, or {@link #HEAD}
     * @param trainable parameter values that receive gradients
     * @param frozen parameter values that do not
     * @param buffers BatchNorm running statistics (never trained; held when the stage is frozen)
     * @param frozenStage whether the stage runs frozen (evaluation mode, statistics held)
     */
    public record StageCount(String stage, long trainable, long frozen, long buffers, boolean frozenStage) {}

    /**
     * The stages {@code --unfreeze} makes trainable: {@code all}, {@code none}, {@code last:N}
     * (the last N stages that have parameters) or a comma-separated list of stage names.
     *
     * @throws ConvkitException for an unknown stage name or a malformed spec, listing the stage
     *     names
     */
    public static Set<String> stages(Backbone backbone, String spec) {
        List<String> names = backbone.stageNames();
        List<String> withParams = stagesWithParameters(backbone);
        String s = spec == null ? "all" : spec.trim().toLowerCase(Locale.ROOT);
        if (s.equals("all")) {
            return new LinkedHashSet<>(names);
        }
        if (s.equals("none") || s.isEmpty()) {
            return new LinkedHashSet<>();
        }
        if (s.startsWith("last:")) {
            int n;
            try {
                n = Integer.parseInt(s.substring(5));
            } catch (NumberFormatException e) {
                n = -1;
            }
            if (n < 0) {
                throw new ConvkitException("--unfreeze " + spec + ": expected last:N with N >= 0, e.g. last:1; the stages"
                        + " with parameters are " + String.join(", ", withParams));
            }
            Set<String> out = new LinkedHashSet<>(withParams.subList(Math.max(0, withParams.size() - n), withParams.size()));
            // parameter-free stages after the last chosen one (pooling, flatten) run trained with it
            int lastChosen = out.isEmpty() ? names.size() : names.indexOf(out.iterator().next());
            for (int i = lastChosen; i < names.size(); i++) {
                if (!withParams.contains(names.get(i))) {
                    out.add(names.get(i));
                }
            }
            return out;
        }
        Set<String> out = new LinkedHashSet<>();
        for (String part : spec.split(",")) {
            String name = part.trim();
            if (!names.contains(name)) {
                throw new ConvkitException("--unfreeze " + spec + ": no stage '" + name + "'. The stages of this backbone"
                        + " are " + String.join(", ", names) + " (or use all, none, last:N)");
            }
            out.add(name);
        }
        return out;
    }

    /** Stage names that own parameters, in forward order (pooling and flatten have none). */
    public static List<String> stagesWithParameters(Backbone backbone) {
        List<String> out = new ArrayList<>();
        for (String name : backbone.stageNames()) {
            if (!backbone.stage(name).getParameters().isEmpty()) {
                out.add(name);
            }
        }
        return out;
    }

    /** Makes exactly the stages in {@code trainable} train; all other stages are frozen. */
    public static void apply(Backbone backbone, Set<String> trainable) {
        for (String stage : backbone.stageNames()) {
            backbone.setFrozen(stage, !trainable.contains(stage));
        }
    }

    /** The frozen stages of {@code backbone}, in forward order. */
    public static List<String> frozenStages(Backbone backbone) {
        List<String> out = new ArrayList<>();
        for (String stage : backbone.stageNames()) {
            if (backbone.isFrozen(stage)) {
                out.add(stage);
            }
        }
        return out;
    }

    /**
     * Trainable / frozen / buffer values per backbone stage, then the head. Counted from what each
     * parameter actually says ({@code requiresGradient}), not from what was asked.
     */
    public static List<StageCount> counts(ConvNet net) {
        Map<String, long[]> byStage = new LinkedHashMap<>();
        for (String stage : net.backbone().stageNames()) {
            byStage.put(stage, new long[3]);
        }
        byStage.put(HEAD, new long[3]);
        net.parametersByPath().forEach((path, p) -> {
            long[] c = byStage.get(stageOf(path));
            long n = p.getArray().size();
            if (ParamPaths.isBuffer(p)) {
                c[2] += n;
            } else if (p.requiresGradient()) {
                c[0] += n;
            } else {
                c[1] += n;
            }
        });
        List<StageCount> out = new ArrayList<>();
        byStage.forEach((stage, c) -> out.add(new StageCount(stage, c[0], c[1], c[2],
                !stage.equals(HEAD) && net.backbone().isFrozen(stage))));
        return out;
    }

    /**
     * Checks that every parameter of a frozen stage is frozen and every other one trainable:
     * freezing that did not take is an error, never a silent full training.
     */
    public static void verify(ConvNet net) {
        List<String> wrong = new ArrayList<>();
        net.parametersByPath().forEach((path, p) -> {
            if (ParamPaths.isBuffer(p)) {
                if (p.requiresGradient()) {
                    wrong.add(path + " is a running statistic but requires a gradient");
                }
                return;
            }
            String stage = stageOf(path);
            boolean shouldTrain = stage.equals(HEAD) || !net.backbone().isFrozen(stage);
            if (p.requiresGradient() != shouldTrain) {
                wrong.add(path + (shouldTrain ? " should train but is frozen" : " should be frozen but trains"));
            }
        });
        if (!wrong.isEmpty()) {
            throw new IllegalStateException("freezing did not take: " + String.join("; ", wrong.subList(0,
                    Math.min(5, wrong.size()))) + (wrong.size() > 5 ? " ..." : ""));
        }
    }

    /**
     * SHA-256 over the paths, shapes and bytes of every parameter and running statistic in {@code
     * stages} (backbone stage names), in path order: equal before and after training exactly when
     * nothing there changed.
     */
    public static String fingerprint(ConvNet net, Iterable<String> stages) {
        Set<String> wanted = new LinkedHashSet<>();
        stages.forEach(wanted::add);
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        for (Map.Entry<String, Parameter> e : net.parametersByPath().entrySet()) {
            if (!wanted.contains(stageOf(e.getKey()))) {
                continue;
            }
            NDArray a = e.getValue().getArray();
            sha.update(e.getKey().getBytes(StandardCharsets.UTF_8));
            sha.update(a.getShape().toString().getBytes(StandardCharsets.UTF_8));
            sha.update(a.toByteArray());
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    /** "backbone.layer1.0.conv1.weight" -> "layer1"; "head.0.weight" -> "head". */
    static String stageOf(String path) {
        if (path.startsWith("head.")) {
            return HEAD;
        }
        String rest = path.substring(path.indexOf('.') + 1);
        int dot = rest.indexOf('.');
        return dot < 0 ? rest : rest.substring(0, dot);
    }

    /** A table for the console: stage, trainable, frozen, buffers. */
    public static String table(List<StageCount> counts) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "  %-12s %12s %12s %10s%n", "stage", "trainable",
                "frozen", "bn buffers"));
        long t = 0;
        long f = 0;
        for (StageCount c : counts) {
            sb.append(String.format(Locale.ROOT, "  %-12s %,12d %,12d %,10d%s%n", c.stage(), c.trainable(), c.frozen(),
                    c.buffers(), c.frozenStage() ? "  (frozen: eval mode)" : ""));
            t += c.trainable();
            f += c.frozen();
        }
        sb.append(String.format(Locale.ROOT, "  %-12s %,12d %,12d", "total", t, f));
        return sb.toString();
    }
}
