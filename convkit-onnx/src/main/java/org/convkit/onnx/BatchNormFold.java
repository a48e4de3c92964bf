package org.convkit.onnx;

import java.util.Map;

/**
 * Folds every BatchNormalization that follows a Conv or a Gemm (and is its only reader) into that
 * node's weights and bias: in evaluation BatchNorm is a fixed per-channel affine map, so {@code
 * bn(conv(x, W) + b)} is {@code conv(x, W * s) + (b - mean) * s + beta} with {@code s = gamma /
 * sqrt(var + eps)}. The arithmetic is libtorch's in {@link
 * org.convkit.model.layers.BatchNormFolding}, float32 and in the same order, so the folded weights
 * are the very numbers convkit's own evaluation uses. A BatchNorm after anything else stays a
 * BatchNormalization node.
 */
final class BatchNormFold {
    private BatchNormFold() {}

    /** @return how many BatchNormalization nodes were folded */
    static int apply(OnnxGraph g) {
        int folded = 0;
        for (int i = 0; i < g.nodes.size(); i++) {
            OnnxGraph.Node bn = g.nodes.get(i);
            if (!bn.op().equals("BatchNormalization")) {
                continue;
            }
            OnnxGraph.Node prev = g.producer(bn.inputs().get(0));
            if (prev == null || !(prev.op().equals("Conv") || prev.op().equals("Gemm"))
                    || g.consumers(prev.output()).size() != 1
                    || g.consumers(prev.inputs().get(1)).size() != 1) {
                continue;
            }
            float eps = (Float) bn.attributes().get("epsilon");
            float[] gamma = g.constants.get(bn.inputs().get(1)).values();
            float[] beta = g.constants.get(bn.inputs().get(2)).values();
            float[] mean = g.constants.get(bn.inputs().get(3)).values();
            float[] var = g.constants.get(bn.inputs().get(4)).values();
            OnnxGraph.Constant w = g.constants.get(prev.inputs().get(1));
            OnnxGraph.Constant b = prev.inputs().size() > 2 ? g.constants.get(prev.inputs().get(2)) : null;
            int channels = gamma.length;
            int per = w.values().length / channels; // a Conv's (O, I/g, kh, kw) or a Gemm's (O, I): row o scales together
            float[] weight = new float[w.values().length];
            float[] bias = new float[channels];
            for (int o = 0; o < channels; o++) {
                float scale = gamma[o] / (float) Math.sqrt(var[o] + eps);
                float shift = b == null ? -mean[o] : b.values()[o] - mean[o];
                bias[o] = shift * scale + beta[o];
                for (int j = o * per; j < (o + 1) * per; j++) {
                    weight[j] = w.values()[j] * scale;
                }
            }
            String wName = g.constant(w.name() + "_folded", w.dims(), weight);
            String bName = g.constant(b == null ? prev.name() + ".bias_folded" : b.name() + "_folded", new long[] {channels}, bias);
            Map<String, Object> attrs = prev.attributes();
            OnnxGraph.Node fused = new OnnxGraph.Node(prev.op(), prev.name(),
                    java.util.List.of(prev.inputs().get(0), wName, bName), bn.output(), attrs);
            int at = g.nodes.indexOf(prev);
            g.nodes.set(at, fused);
            g.nodes.remove(i);
            i--;
            folded++;
        }
        g.dropUnusedConstants();
        return folded;
    }
}
