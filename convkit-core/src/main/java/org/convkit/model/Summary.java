package org.convkit.model;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Convolution;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.norm.Dropout;
import ai.djl.util.Pair;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.convkit.model.layers.BlockNames;

/**
 * Keras' model.summary() for a ConvNet: one row per layer (path, type, output shape, parameters,
 * multiply-adds), then totals. Shapes come from DJL's shape inference on the initialized network,
 * so nothing here is computed by hand.
 *
 * @param architecture zoo name
 * @param input input spec CxHxW
 * @param layers one row per leaf layer, in forward order
 * @param totalParams learnable parameters (BatchNorm running statistics excluded, as PyTorch counts)
 * @param trainableParams learnable parameters that receive gradients
 * @param frozenParams learnable parameters that are frozen
 * @param bufferValues BatchNorm running statistics (stored with the weights, not learned)
 * @param macs multiply-adds for one image (conv and linear layers; what torchvision calls GFLOPS)
 * @param weightBytes memory the parameters and buffers take (float32)
 * @param stages the backbone's stages (the units of freezing) and the head
 */
public record Summary(
        String architecture,
        String input,
        List<Row> layers,
        long totalParams,
        long trainableParams,
        long frozenParams,
        long bufferValues,
        long macs,
        long weightBytes,
        List<Stage> stages) {

    /** One backbone stage (or "head": all heads together): its output and learnable parameters. */
    public record Stage(String name, List<Long> outputShape, long params, boolean frozen) {}

    /** One layer. */
    public record Row(String path, String type, List<Long> outputShape, long params, long macs, boolean frozen) {}

    /**
     * Summarizes {@code net}. An uninitialized network stays uninitialized and no weights are
     * drawn (see {@link DryRun}): counting VGG-19 takes milliseconds.
     */
    public static Summary of(ConvNet net) {
        return DryRun.of(net, () -> collect(net));
    }

    private static Summary collect(ConvNet net) {
        List<Row> rows = new ArrayList<>();
        walk(net, "", rows);
        long total = 0;
        long trainable = 0;
        long buffers = 0;
        long bytes = 0;
        for (Pair<String, Parameter> p : net.getParameters()) {
            Parameter param = p.getValue();
            long n = param.getArray().size();
            bytes += n * param.getArray().getDataType().getNumOfBytes();
            if (ParamPaths.isBuffer(param)) {
                buffers += n;
                continue;
            }
            total += n;
            if (param.requiresGradient()) {
                trainable += n;
            }
        }
        long macs = rows.stream().mapToLong(Row::macs).sum();
        return new Summary(net.architecture(), net.options().inputSpec(), rows, total, trainable,
                total - trainable, buffers, macs, bytes, stages(net));
    }

    private static List<Stage> stages(ConvNet net) {
        List<Stage> out = new ArrayList<>();
        Shape[] shapes = {net.inputShape()};
        for (String name : net.backbone().stageNames()) {
            Block stage = net.backbone().stage(name);
            shapes = stage.getOutputShapes(shapes);
            out.add(new Stage(name, asList(shapes[0]), learnable(stage), net.backbone().isFrozen(name)));
        }
        Shape head = net.heads().getOutputShapes(shapes)[0];
        out.add(new Stage("head", asList(head), learnable(net.heads()), false));
        return out;
    }

    private static long learnable(Block block) {
        long n = 0;
        for (Pair<String, Parameter> p : block.getParameters()) {
            if (!ParamPaths.isBuffer(p.getValue())) {
                n += p.getValue().getArray().size();
            }
        }
        return n;
    }

    private static List<Long> asList(Shape s) {
        return Arrays.stream(s.getShape()).boxed().toList();
    }

    private static void walk(Block block, String path, List<Row> rows) {
        if (block.getChildren().isEmpty()) {
            rows.add(row(block, path));
            return;
        }
        int index = 0;
        for (Pair<String, Block> c : block.getChildren()) {
            String name = BlockNames.child(block, index);
            walk(c.getValue(), path.isEmpty() ? name : path + "." + name, rows);
            index++;
        }
    }

    private static Row row(Block leaf, String path) {
        Shape in = leaf.getInputShapes()[0];
        Shape out = leaf.getOutputShapes(leaf.getInputShapes())[0];
        long params = 0;
        boolean frozen = false;
        for (Pair<String, Parameter> p : leaf.getDirectParameters()) {
            if (!ParamPaths.isBuffer(p.getValue())) {
                params += p.getValue().getArray().size();
                frozen |= !p.getValue().requiresGradient();
            }
        }
        long macs = 0;
        String type;
        if (leaf instanceof Convolution c) {
            Shape w = c.getParameters().get("weight").getArray().getShape();
            macs = out.size() / out.get(0) * w.size() / w.get(0);
            type = String.format(Locale.ROOT, "Conv2d(%d->%d, k%s, s%s%s)", in.get(1), c.getFilters(),
                    dims(c.getKernelShape()), dims(c.getStride()),
                    c.getPadding().get(0) > 0 ? ", p" + dims(c.getPadding()) : "");
        } else if (leaf instanceof Linear) {
            macs = in.get(1) * out.get(1);
            type = "Linear(" + in.get(1) + "->" + out.get(1) + ")";
        } else if (leaf instanceof BatchNorm) {
            type = "BatchNorm2d(" + in.get(1) + ")";
        } else if (leaf instanceof Dropout) {
            type = "Dropout";
        } else {
            type = leaf.toString();
        }
        return new Row(path, type, asList(out), params, macs, frozen);
    }

    private static String dims(Shape s) {
        return s.get(0) == s.get(1) ? String.valueOf(s.get(0)) : s.get(0) + "x" + s.get(1);
    }

    /** The table as printed by {@code convkit summary}. */
    public String toTable() {
        int pw = Math.max(5, layers.stream().mapToInt(r -> r.path().length()).max().orElse(5));
        int tw = Math.max(4, layers.stream().mapToInt(r -> r.type().length()).max().orElse(4));
        String fmt = "%-" + pw + "s  %-" + tw + "s  %-20s  %,13d%s%n";
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%s, input %s%n", architecture, input));
        String header = String.format(Locale.ROOT, "%-" + pw + "s  %-" + tw + "s  %-20s  %13s%n", "Layer", "Type", "Output", "Params");
        sb.append(header).append("-".repeat(header.length() - 1)).append('\n');
        for (Row r : layers) {
            sb.append(String.format(Locale.ROOT, fmt, r.path(), r.type(), shape(r.outputShape()), r.params(),
                    r.frozen() ? "  frozen" : ""));
        }
        sb.append("-".repeat(header.length() - 1)).append('\n');
        sb.append(String.format(Locale.ROOT, "Total params:      %,d%n", totalParams));
        sb.append(String.format(Locale.ROOT, "Trainable params:  %,d%n", trainableParams));
        sb.append(String.format(Locale.ROOT, "Frozen params:     %,d%n", frozenParams));
        sb.append(String.format(Locale.ROOT, "BN buffers:        %,d%n", bufferValues));
        sb.append(String.format(Locale.ROOT, "Multiply-adds:     %s per image%n", human(macs, "")));
        sb.append(String.format(Locale.ROOT, "Weight memory:     %s%n", human(weightBytes, "B")));
        int sw = stages.stream().mapToInt(st -> st.name().length()).max().orElse(5);
        sb.append(String.format(Locale.ROOT, "%nStages (the units of freezing; the head is replaced for new classes):%n"));
        for (Stage st : stages) {
            sb.append(String.format(Locale.ROOT, "  %-" + sw + "s  %-20s  %,13d%s%n", st.name(), shape(st.outputShape()),
                    st.params(), st.frozen() ? "  frozen" : ""));
        }
        return sb.toString();
    }

    private static String shape(List<Long> s) {
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < s.size(); i++) {
            sb.append(i == 0 ? "N" : s.get(i));
            if (i < s.size() - 1) {
                sb.append(", ");
            }
        }
        return sb.append(')').toString();
    }

    static String human(long v, String unit) {
        String[] p = unit.equals("B") ? new String[] {"B", "KiB", "MiB", "GiB"} : new String[] {"", "K", "M", "G"};
        double base = unit.equals("B") ? 1024 : 1000;
        double x = v;
        int i = 0;
        while (x >= base && i < p.length - 1) {
            x /= base;
            i++;
        }
        return String.format(Locale.ROOT, i == 0 ? "%.0f %s" : "%.2f %s", x, p[i]).trim();
    }
}
