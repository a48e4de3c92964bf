package org.convkit.bench;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.convkit.core.Runtime;
import org.convkit.model.ConvNet;
import org.convkit.model.ModelOptions;
import org.convkit.model.Zoo;
import org.convkit.train.ParamGroups;
import org.convkit.train.loss.CrossEntropy;
import org.convkit.train.optim.Optimizer;
import org.convkit.train.optim.Optimizers;

/**
 * Where a training step's time goes, without data loading: batch upload, forward, loss, backward,
 * optimizer step, zero-grad, each timed separately over {@code steps} steps after {@code warmup}.
 * {@code trace=FILE} also records libtorch's profiler (a Chrome trace) over the timed steps.
 * Arguments: model= stem= width= optimizer= classes= input=CxHxW batch= warmup= steps= trace=
 */
public final class StepProfile {
    private StepProfile() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> a = new LinkedHashMap<>();
        for (String s : args) {
            int eq = s.indexOf('=');
            a.put(s.substring(0, eq), s.substring(eq + 1));
        }
        int batch = Integer.parseInt(a.get("batch"));
        int warmup = Integer.parseInt(a.getOrDefault("warmup", "3"));
        int steps = Integer.parseInt(a.getOrDefault("steps", "10"));
        Engine engine = Runtime.init();
        Device cpu = Device.cpu();
        ModelOptions o = Zoo.get(a.get("model")).defaults()
                .withClasses(Integer.parseInt(a.get("classes"))).withInputSpec(a.get("input"));
        if (a.containsKey("stem")) {
            o = o.withStem(a.get("stem"));
        }
        if (a.containsKey("width")) {
            o = o.withWidthMultiplier(Double.parseDouble(a.get("width")));
        }
        ConvNet net = Zoo.create(a.get("model"), o);
        Shape in = net.inputShape();
        long per = in.size() / in.get(0);
        float[] data0 = new float[(int) (batch * per)];
        Random r = new Random(0);
        for (int i = 0; i < data0.length; i++) {
            data0[i] = (float) r.nextGaussian();
        }
        float[] data = data0;
        long[] labels = new long[batch];
        int classes = Integer.parseInt(a.get("classes"));
        for (int i = 0; i < batch; i++) {
            labels[i] = r.nextInt(classes);
        }
        if (a.containsKey("data")) { // one real batch instead of Gaussian noise
            org.convkit.data.ImageSource src = org.convkit.data.load.Datasets.open(a.get("data"),
                    org.convkit.data.OpenOptions.defaults().withAcquire(false)).train();
            try (org.convkit.data.load.Loader l = new org.convkit.data.load.Loader(src,
                    org.convkit.data.image.PipelineParser.parse(a.getOrDefault("transforms", "totensor"), "t"),
                    org.convkit.data.load.Loader.Options.train(batch, 0).withWorkers(0).withPrefetch(1).withShuffle(false).withChannels((int) in.get(1)));
                    org.convkit.data.load.Loader.Epoch e = l.epoch(0)) {
                org.convkit.data.Batch b = e.next();
                data = b.data();
                for (int i = 0; i < batch; i++) {
                    labels[i] = b.labels()[i];
                }
            }
        }
        double[] t = new double[6];
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        long cpu0 = 0;
        String[] names = {"upload", "forward", "loss", "backward", "step", "zero_grad"};
        try (NDManager m = NDManager.newBaseManager(cpu)) {
            net.initialize(m);
            ParameterStore ps = new ParameterStore(m, false);
            CrossEntropy ce = new CrossEntropy(0);
            try (Optimizer sgd = Optimizers.create(a.getOrDefault("optimizer", "sgd"),
                    ParamGroups.all(net, 0), m, new Optimizers.Settings(null, false, 0.01))) {
                sgd.setLr(0.01);
                for (int s = 0; s < warmup + steps; s++) {
                    boolean timed = s >= warmup;
                    if (s == warmup) {
                        cpu0 = os.getProcessCpuTime();
                    }
                    if (s == warmup && a.containsKey("trace")) {
                        JniUtils.startProfile(false, true, true);
                    }
                    if (a.containsKey("reseed")) {
                        engine.setRandomSeed(s); // as the Learner does before every batch
                    }
                    long t0 = System.nanoTime();
                    try (NDManager scope = m.newSubManager(); NDScope ignored = new NDScope()) {
                        ignored.suppressNotUsedWarning();
                        NDArray x = scope.create(data, new Shape(batch, in.get(1), in.get(2), in.get(3)));
                        if (a.containsKey("cl")) {
                            // channels-last storage, same logical NCHW shape: NHWC copy, viewed as NCHW
                            x = x.transpose(0, 2, 3, 1).reshape(batch, -1)
                                    .reshape(batch, in.get(2), in.get(3), in.get(1)).transpose(0, 3, 1, 2);
                        }
                        NDArray y = scope.create(labels, new Shape(batch, 1));
                        long t1 = System.nanoTime();
                        long t2;
                        long t3;
                        try (GradientCollector gc = engine.newGradientCollector()) {
                            NDList out = net.forward(ps, new NDList(x), true);
                            t2 = System.nanoTime();
                            NDArray l = ce.compute(out, y);
                            l.getFloat();
                            t3 = System.nanoTime();
                            gc.backward(l);
                        }
                        long t4 = System.nanoTime();
                        sgd.step();
                        long t5 = System.nanoTime();
                        sgd.zeroGrad();
                        long t6 = System.nanoTime();
                        if (timed) {
                            long[] ts = {t0, t1, t2, t3, t4, t5, t6};
                            for (int k = 0; k < 6; k++) {
                                t[k] += (ts[k + 1] - ts[k]) / 1e6;
                            }
                        }
                    }
                }
                cpu0 = os.getProcessCpuTime() - cpu0;
                if (a.containsKey("trace")) {
                    JniUtils.stopProfile(a.get("trace"));
                }
            }
        }
        double total = 0;
        for (double v : t) {
            total += v;
        }
        StringBuilder sb = new StringBuilder("PROFILE ms/step:");
        for (int k = 0; k < 6; k++) {
            sb.append(String.format(java.util.Locale.ROOT, " %s=%.2f", names[k], t[k] / steps));
        }
        sb.append(String.format(java.util.Locale.ROOT, " total=%.2f img_s=%.1f cpu_ms=%.1f", total / steps,
                batch * steps * 1000 / total, cpu0 / 1e6 / steps));
        System.out.println(sb);
    }
}
