package org.convkit.core;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * How convkit runs networks on the tensor engine: the memory layout of convolution weights, whether
 * evaluation folds BatchNorm into the convolution before it, whether forward passes free
 * intermediate results as they go, and the number format of the convolutions.
 *
 * <p>A value, not a switch: a {@code ConvNet} carries one and everything that runs it (training,
 * evaluation, prediction) follows it, so two networks with different settings can run side by
 * side in one process. Which speed paths a machine may use is decided once per process by the
 * engine self-check ({@code org.convkit.model.engine.EngineCheck}), which returns one of these.
 *
 * @param layout where the conv weights' channels sit in memory (channels-last makes libtorch's
 *     oneDNN run NHWC kernels: faster where they are right, wrong or crashing on some CPUs)
 * @param foldBatchNorm evaluation passes compute {@code bn(conv(x))} as one convolution with
 *     folded weights
 * @param freeIntermediates forward passes close each intermediate result once the next layer has
 *     used it (PyTorch's reference counting); off keeps DJL's per-batch lifetime
 * @param precision the number format convolutions compute in: float32, or bfloat16 (weights,
 *     activations, BatchNorm, linear layers, softmax and the loss stay float32; oneDNN multiplies in
 *     bfloat16 and accumulates in float32). A property of the process, not only of a network: see
 *     {@code EngineCheck.processPrecision}
 */
public record EngineSettings(Layout layout, boolean foldBatchNorm, boolean freeIntermediates, Precision precision)
        implements Serializable {

    /**
     * How convolutions run: the memory layout of 4-D convolution weights (and so of the activations
     * they produce), and whose kernels compute them.
     */
    public enum Layout {
        /** NCHW, libtorch's oneDNN kernels: the plain path. */
        NCHW("nchw"),
        /** NHWC, libtorch's oneDNN NHWC kernels: evaluation and prediction only. */
        CHANNELS_LAST("channels-last"),
        /**
         * NCHW with libtorch's own convolution kernels, oneDNN off ({@code torch.backends.mkldnn.enabled
         * = False}): slower, for CPUs where oneDNN computes wrong or crashes.
         */
        NATIVE("native");

        private final String token;

        Layout(String token) {
            this.token = token;
        }

        /** The name used in specs, messages and JSON: {@code nchw}, {@code channels-last}. */
        public String token() {
            return token;
        }
    }

    /** The number format of convolutions (linear layers stay float32 under either). */
    public enum Precision {
        FP32("fp32"),
        BF16("bf16");

        private final String token;

        Precision(String token) {
            this.token = token;
        }

        public String token() {
            return token;
        }

        /**
         * {@code fp32} or {@code bf16} ({@code where} names the flag or key in the error).
         */
        public static Precision parse(String text, String where) {
            for (Precision p : values()) {
                if (p.token.equalsIgnoreCase(text == null ? "" : text.trim())) {
                    return p;
                }
            }
            throw new ConvkitException(where + " " + text + ": use fp32 or bf16 (bfloat16 mixed precision:"
                    + " convolutions run in bfloat16; linear layers, BatchNorm, the weights and the loss stay float32)");
        }
    }

    /**
     * The plain path: NCHW, nothing folded, float32 (intermediates freed: that only changes when
     * memory is returned, never a value). What convkit runs when no self-check vouches for more.
     */
    public static final EngineSettings PLAIN = new EngineSettings(Layout.NCHW, false, true, Precision.FP32);

    public EngineSettings {
        if (layout == null || precision == null) {
            throw new IllegalArgumentException("layout and precision are required");
        }
    }

    public EngineSettings withLayout(Layout l) {
        return new EngineSettings(l, foldBatchNorm, freeIntermediates, precision);
    }

    public EngineSettings withFoldBatchNorm(boolean on) {
        return new EngineSettings(layout, on, freeIntermediates, precision);
    }

    public EngineSettings withPrecision(Precision p) {
        return new EngineSettings(layout, foldBatchNorm, freeIntermediates, p);
    }

    /**
     * What training runs: these settings, NCHW for channels-last (native stays native, nchw stays
     * nchw). Channels-last is an evaluation-only lever: its
     * backward passes have deviated from PyTorch's on real networks on machines where every
     * self-check probe passed (resnet18-d2l on one channel, one SGD step off by 2e-3 of the loss),
     * and failed the probes outright at one thread, so no probe set vouches for them.
     */
    public EngineSettings forTraining() {
        return layout == Layout.CHANNELS_LAST ? withLayout(Layout.NCHW) : this;
    }

    public boolean channelsLast() {
        return layout == Layout.CHANNELS_LAST;
    }

    /**
     * The settings as a spec {@link Spec#parse} reads back, e.g. {@code channels-last,fold,free,fp32}:
     * how a parent process hands its settings to a child ({@code -Dconvkit.engine=...}).
     */
    public String spec() {
        return layout.token() + "," + (foldBatchNorm ? "fold" : "no-fold") + ","
                + (freeIntermediates ? "free" : "keep") + "," + precision.token();
    }

    /** For people: "channels-last, BatchNorm folded, fp32". */
    public String describe() {
        return layout.token() + ", BatchNorm " + (foldBatchNorm ? "folded" : "not folded") + ", " + precision.token()
                + (freeIntermediates ? "" : ", intermediates kept");
    }

    @Override
    public String toString() {
        return spec();
    }

    /**
     * What a user forces ({@code CONVKIT_ENGINE} or {@code -Dconvkit.engine}): each item given, or
     * null for "as the self-check chooses". Tokens, comma-separated, any order: {@code nchw} |
     * {@code channels-last} | {@code native}, {@code fold} | {@code no-fold}, {@code free} | {@code keep}
     * (intermediates), {@code fp32} | {@code bf16}, {@code no-check} (skip the self-check: the items
     * not given take the {@link #PLAIN} values), {@code onnxruntime} (run ONNX Runtime, {@code
     * --engine onnx}, even where it failed its check here, with a loud warning; convkit-onnx), or
     * {@code auto} alone (the default: all chosen by the check).
     */
    public record Spec(Layout layout, Boolean foldBatchNorm, Boolean freeIntermediates, Precision precision,
            boolean noCheck, boolean onnxRuntime) implements Serializable {
        public static final Spec AUTO = new Spec(null, null, null, null, false, false);

        /**
         * @param where what the text came from, for the error message ({@code CONVKIT_ENGINE})
         */
        public static Spec parse(String text, String where) {
            if (text == null || text.isBlank() || text.trim().equalsIgnoreCase("auto")) {
                return AUTO;
            }
            Layout layout = null;
            Boolean fold = null;
            Boolean free = null;
            Precision precision = null;
            boolean noCheck = false;
            boolean onnxRuntime = false;
            for (String raw : text.split(",")) {
                String t = raw.trim().toLowerCase(Locale.ROOT);
                switch (t) {
                    case "nchw" -> layout = Layout.NCHW;
                    case "channels-last", "channels_last", "nhwc" -> layout = Layout.CHANNELS_LAST;
                    case "native" -> layout = Layout.NATIVE;
                    case "fold" -> fold = true;
                    case "no-fold" -> fold = false;
                    case "free" -> free = true;
                    case "keep" -> free = false;
                    case "fp32" -> precision = Precision.FP32;
                    case "bf16" -> precision = Precision.BF16;
                    case "no-check" -> noCheck = true;
                    case "onnxruntime" -> onnxRuntime = true;
                    case "" -> { }
                    default -> throw new ConvkitException(where + "=" + text + ": unknown item '" + raw.trim()
                            + "'; use auto, or a comma-separated list of nchw|channels-last|native, fold|no-fold,"
                            + " free|keep, fp32|bf16, no-check, onnxruntime (docs/engine.md)");
                }
            }
            return new Spec(layout, fold, free, precision, noCheck, onnxRuntime);
        }

        /** {@code base} with the forced items put in. */
        public EngineSettings applyTo(EngineSettings base) {
            return new EngineSettings(
                    layout != null ? layout : base.layout(),
                    foldBatchNorm != null ? foldBatchNorm : base.foldBatchNorm(),
                    freeIntermediates != null ? freeIntermediates : base.freeIntermediates(),
                    precision != null ? precision : base.precision());
        }

        public boolean isAuto() {
            return layout == null && foldBatchNorm == null && freeIntermediates == null && precision == null && !noCheck
                    && !onnxRuntime;
        }

        @Override
        public String toString() {
            List<String> items = new ArrayList<>();
            if (layout != null) {
                items.add(layout.token());
            }
            if (foldBatchNorm != null) {
                items.add(foldBatchNorm ? "fold" : "no-fold");
            }
            if (freeIntermediates != null) {
                items.add(freeIntermediates ? "free" : "keep");
            }
            if (precision != null) {
                items.add(precision.token());
            }
            if (noCheck) {
                items.add("no-check");
            }
            if (onnxRuntime) {
                items.add("onnxruntime");
            }
            return items.isEmpty() ? "auto" : String.join(",", items);
        }
    }
}
