package org.convkit.bench;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.convkit.core.Runtime;
import org.convkit.data.Dataset;
import org.convkit.data.load.Datasets;
import org.convkit.data.ImageSource;
import org.convkit.data.load.Loader;
import org.convkit.data.OpenOptions;
import org.convkit.data.image.Pipeline;
import org.convkit.data.image.PipelineParser;
import org.convkit.data.source.SubsetSource;
import org.convkit.model.ConvNet;
import org.convkit.model.ModelOptions;
import org.convkit.model.Zoo;
import org.convkit.eval.Evaluator;
import org.convkit.eval.Metrics;
import org.convkit.train.Batches;
import org.convkit.train.Learner;
import org.convkit.train.LoaderBatches;
import org.convkit.train.ParamGroups;
import org.convkit.train.loss.CrossEntropy;
import org.convkit.train.optim.Optimizer;
import org.convkit.train.optim.Optimizers;
import org.convkit.train.schedule.Constant;

/**
 * The convkit side of bench/run.sh: trains (or evaluates) a zoo model through the product's own
 * path — Datasets.open, the Loader with a parsed transform pipeline (through the trainer's
 * LoaderBatches), the Learner with SGD momentum 0.9 and cross-entropy, or for mode=infer the
 * Evaluator with the network's self-checked evaluation settings (what eval and predict run) — and
 * prints one RESULT line.
 *
 * <p>Arguments are {@code key=value}: mode=train|infer model= stem= classes= input=CxHxW data=
 * split= transforms= batch= workers= warmup= steps= lr= seed=. The same keys drive
 * bench/torch_bench.py, so both sides get the same workload from one line of run.sh.
 */
public final class TrainBench {
    private TrainBench() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> a = new LinkedHashMap<>();
        for (String s : args) {
            int eq = s.indexOf('=');
            a.put(s.substring(0, eq), s.substring(eq + 1));
        }
        String mode = a.getOrDefault("mode", "train");
        int batch = Integer.parseInt(a.get("batch"));
        int warmup = Integer.parseInt(a.getOrDefault("warmup", "3"));
        int steps = Integer.parseInt(a.getOrDefault("steps", "0"));
        int workers = Integer.parseInt(a.getOrDefault("workers", "2"));
        long seed = Long.parseLong(a.getOrDefault("seed", "0"));

        Runtime.init();
        Device cpu = Runtime.device("cpu");
        ModelOptions o = Zoo.get(a.get("model")).defaults()
                .withClasses(Integer.parseInt(a.get("classes")))
                .withInputSpec(a.get("input"));
        if (a.containsKey("stem")) {
            o = o.withStem(a.get("stem"));
        }
        ConvNet net = Zoo.create(a.get("model"), o);
        int channels = (int) net.imageShape().get(0);

        Dataset ds = Datasets.open(a.get("data"), OpenOptions.defaults().withAcquire(false));
        ImageSource all = ds.split(a.getOrDefault("split", "train"));
        // exactly the batches the run needs; a small folder is repeated to reach that many
        // (mode=fit: the whole split, epochs=N, one EPOCH line each: W7's memory per epoch)
        int n = mode.equals("fit") ? all.size() : (warmup + steps) * batch;
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) {
            idx[i] = i % all.size();
        }
        ImageSource source = new SubsetSource(all, idx, "bench");
        Pipeline pipeline = PipelineParser.parse(a.get("transforms"), "transforms");
        boolean train = !mode.equals("infer");
        Loader.Options lo = Loader.Options.train(batch, seed).withShuffle(train).withSplit(train ? "train" : "valid")
                .withWorkers(workers).withPrefetch(Math.max(2, 2 * workers)).withChannels(channels);

        try (NDManager models = NDManager.newBaseManager(cpu);
                Loader loader = new Loader(source, pipeline, lo)) {
            net.initialize(models);
            TimedBatches timed = new TimedBatches(new LoaderBatches(loader, all.classes(), 1, -1), warmup);
            if (train) {
                if (!learn(net, models, cpu, timed, mode.equals("fit") ? loader : null, all.classes(), a, warmup, seed)) {
                    return;
                }
            } else {
                // no Learner here: building one puts the network in the training layout
                // (EngineSettings.forTraining), and this row measures what predict and eval run,
                // the network's own self-checked evaluation settings
                Metrics metrics = new Metrics(timed.classes(), timed.heads(), timed.blank(), 0);
                try (Batches.Pass pass = timed.open(0, 0)) {
                    new Evaluator(net, cpu).evaluate(() -> pass, metrics);
                }
            }
            System.out.printf(java.util.Locale.ROOT, "RESULT img_s=%.2f images=%d seconds=%.3f cpu_ms_per_img=%.3f wait=%.4f rss_mb=%.1f heap_mb=%.1f engine=%s checked=%s%s%n",
                    timed.images() / timed.seconds(), timed.images(), timed.seconds(),
                    timed.cpuSeconds() * 1000 / timed.images(), timed.waitShare(), peakRssMb(),
                    java.lang.Runtime.getRuntime().totalMemory() / 1048576.0, net.engine().spec(), checked(net.engine()),
                    train ? PHASES.get().toString() : "");
        }
    }

    /**
     * Trains through the Learner with SGD momentum 0.9: the timed batches once, or ({@code
     * fitLoader} non-null, mode=fit) whole epochs of it with one EPOCH line each.
     *
     * @return whether a RESULT line is due (not after mode=fit)
     */
    private static boolean learn(ConvNet net, NDManager models, Device cpu, TimedBatches timed, Loader fitLoader,
            List<String> classes, Map<String, String> a, int warmup, long seed) throws Exception {
        try (Optimizer sgd = Optimizers.create("sgd", ParamGroups.all(net, 0), models,
                new Optimizers.Settings(0.9, false, 0.0))) {
            double lr = Double.parseDouble(a.getOrDefault("lr", "0.01"));
            Phases phases = new Phases(warmup);
            Learner learner = Learner.builder(net, sgd).device(cpu).loss(new CrossEntropy(0)).schedule(new Constant(), lr)
                    .options(new Learner.Options(1, 0, seed)).callbacks(List.of(phases)).build();
            timed.onDelivered(phases::batchArrived);
            if (fitLoader == null) {
                learner.fit(1, timed, null);
                return true;
            }
            learner.addCallback(new org.convkit.train.Callback() {
                @Override
                public void onEpochEnd(Learner l, org.convkit.train.EpochResult r) {
                    System.out.printf(java.util.Locale.ROOT, "EPOCH %d rss_mb=%.1f img_s=%.1f data_wait=%.4f%n",
                            r.epoch(), r.rssMb(), r.imagesPerSecond(), r.dataWait());
                }
            });
            learner.fit(Integer.parseInt(a.getOrDefault("epochs", "10")), new LoaderBatches(fitLoader, classes, 1, -1), null);
            return false;
        }
    }

    /**
     * Whether the engine path measured passed the self-check here ("passed"; "FAILED" when forced
     * onto a path that did not: its ratio is not a result; "unchecked" under no-check).
     */
    static String checked(org.convkit.core.EngineSettings s) throws java.io.IOException {
        if (org.convkit.model.engine.EngineCheck.forced().noCheck()) {
            return "unchecked";
        }
        var o = org.convkit.model.engine.EngineCheck.Options.defaults();
        var report = org.convkit.model.engine.EngineCheck.report(o, false);
        var levers = org.convkit.model.engine.EngineCheck.levers(o);
        for (var l : levers) {
            if (!l.isOn(s) || (!l.isLayout() && !l.byDefault())) {
                continue;
            }
            var layout = levers.stream().filter(x -> x.isLayout() && x.isOn(s)).findFirst().orElse(null);
            String path = l.isLayout() ? l.name() : layout == null ? l.name() : l.name() + "@" + layout.name();
            var r = report.path(path);
            if (r == null || !r.passed()) {
                return "FAILED";
            }
        }
        return "passed";
    }

    private static final java.util.concurrent.atomic.AtomicReference<Phases> PHASES =
            new java.util.concurrent.atomic.AtomicReference<>();

    /** Milliseconds per timed batch in forward+loss and in backward+step (Learner callbacks). */
    static final class Phases implements org.convkit.train.Callback {
        private final int warmup;
        private long arrived;
        private long lossAt;
        private double forward;
        private double backward;
        private int batches;

        Phases(int warmup) {
            this.warmup = warmup;
            PHASES.set(this);
        }

        void batchArrived() {
            arrived = System.nanoTime();
        }

        @Override
        public void onLoss(Learner learner, BatchEnd where, double loss) {
            lossAt = System.nanoTime();
        }

        @Override
        public void onBatchEnd(Learner learner, BatchEnd batch) {
            if (batch.batch() > warmup) {
                forward += (lossAt - arrived) / 1e6;
                backward += (System.nanoTime() - lossAt) / 1e6;
                batches++;
            }
        }

        @Override
        public String toString() {
            return String.format(java.util.Locale.ROOT, " forward_ms=%.1f backward_step_ms=%.1f",
                    forward / Math.max(1, batches), backward / Math.max(1, batches));
        }
    }

    /** VmHWM: the process's peak resident set. */
    static double peakRssMb() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmHWM:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
            }
        }
        return Double.NaN;
    }
}
