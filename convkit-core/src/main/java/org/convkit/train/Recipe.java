package org.convkit.train;

import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.io.IOException;
import org.convkit.core.ConvkitException;
import org.convkit.data.Dataset;
import org.convkit.data.ImageSource;
import org.convkit.data.Sample;
import org.convkit.data.image.ImageHeader;
import org.convkit.data.inspect.ImageProbe;
import org.convkit.model.Architecture;
import org.convkit.model.Zoo;
import org.convkit.train.optim.Optimizers;

/**
 * Defaults that give a good result the first time, chosen from the data: what {@code convkit train
 * --data D} uses for every flag not given.
 *
 * <p>The main job's recipe (small grayscale images such as Fashion-MNIST): {@code simplecnn --arch
 * 32,64 --fc 128} (two Conv3x3-BN-ReLU-MaxPool stages, 421,834 parameters, 4.24M multiply-adds
 * per image), SGD with Nesterov momentum, one-cycle schedule peaking at 0.1, label smoothing 0.1,
 * horizontal flips, batch 128: measured in bench/RESULTS.md.
 */
public final class Recipe {
    /** The dataset {@code convkit train} trains on when no --data is given. */
    public static final String DEFAULT_DATA = "fashion-mnist";

    /** Inputs up to this size count as small (CIFAR, MNIST): larger batches, the CIFAR ResNet stem. */
    static final int SMALL = 64;

    private Recipe() {}

    /**
     * What the data's images look like: the dataset's own answer (IDX, CIFAR), else read from the
     * headers of a few training files. {@code size} is set when they are all S x S.
     */
    public record Shape(Integer channels, Integer size) {}

    /** The images' channels and square size, where known (see {@link Shape}). */
    public static Shape shape(Dataset dataset) {
        if (dataset.channels() != null && dataset.width() != null) {
            return new Shape(dataset.channels(), dataset.width().equals(dataset.height()) ? dataset.width() : null);
        }
        ImageSource src = dataset.train();
        int n = src.size();
        int probes = Math.min(n, 16);
        Integer size = null;
        Integer channels = null;
        boolean sameSize = true;
        boolean sameChannels = true;
        for (int i = 0; i < probes; i++) {
            int w;
            int h;
            int c;
            try {
                Sample s = src.get((int) ((long) i * n / probes));
                if (s.pixels() != null) {
                    w = s.pixels().width();
                    h = s.pixels().height();
                    c = s.pixels().channels();
                } else {
                    ImageHeader info = ImageProbe.probe(s.encoded());
                    w = info.width();
                    h = info.height();
                    c = info.channels();
                }
            } catch (IOException | RuntimeException e) {
                continue; // a bad file: the loader will skip and record it
            }
            if (w != h || w <= 0 || (size != null && size != w)) {
                sameSize = false;
            }
            size = w;
            if (c <= 0 || (channels != null && channels != c)) {
                sameChannels = false;
            }
            channels = c;
        }
        Integer ch = dataset.channels() != null ? dataset.channels() : sameChannels ? channels : null;
        return new Shape(ch, sameSize ? size : null);
    }

    /** {@code given} with every missing value filled for {@code dataset}. */
    public static TrainConfig resolve(TrainConfig given, Dataset dataset) {
        TrainConfig.Builder c = given.toBuilder();
        if (c.data() == null) {
            c.data(DEFAULT_DATA);
        }
        Shape shape = shape(dataset);
        Integer nativeSize = shape.size;
        boolean gray = shape.channels != null && shape.channels == 1;
        if (c.model() == null) {
            int size = c.imageSize() != null ? c.imageSize() : nativeSize != null ? nativeSize : 224;
            if (gray && size <= 32) {
                c.model("simplecnn");
                c.arch(c.arch() == null ? "32,64" : c.arch());
                c.fc(c.fc() == null ? "128" : c.fc());
            } else {
                c.model("resnet18");
                if (size <= SMALL && c.stem() == null) {
                    c.stem("cifar");
                }
            }
        }
        Architecture arch = Zoo.get(c.model());
        if (c.imageSize() == null) {
            c.imageSize(nativeSize != null ? nativeSize : arch.defaults().height());
        }
        boolean small = c.imageSize() <= SMALL;
        boolean mainJob = c.model().equals("simplecnn") && gray && small;
        if (c.epochs() == null) {
            c.epochs(mainJob ? 6 : 10);
        }
        if (c.batchSize() == null) {
            c.batchSize(small ? 128 : 32);
        }
        String optimizer = c.optimizer() == null ? "sgd" : c.optimizer().toLowerCase(Locale.ROOT);
        c.optimizer(optimizer);
        if (c.lr() == null) {
            c.lr(Optimizers.defaultLr(optimizer));
        }
        if (c.momentum() == null) {
            c.momentum(Optimizers.defaultMomentum(optimizer));
        }
        if (c.nesterov() == null) {
            c.nesterov(optimizer.equals("sgd") && c.momentum() > 0);
        }
        if (c.weightDecay() == null) {
            c.weightDecay(Optimizers.defaultWeightDecay(optimizer));
        }
        if (c.schedule() == null) {
            c.schedule("onecycle");
        }
        if (c.budget() != null) {
            TimeBudget.parse(c.budget(), "--budget"); // refused before any work
            if (!c.schedule().equals("onecycle")) {
                throw new ConvkitException("--budget " + c.budget() + " fits a one-cycle schedule to the time; --schedule "
                        + c.schedule() + " cannot be fitted (leave --schedule out)");
            }
        }
        if (c.warmup() == null) {
            // one-cycle climbs for 30% of the run (torch's pct_start); other schedules start at once
            c.warmup(c.schedule().equals("onecycle") ? 0.3 * c.epochs() : 0.0);
        }
        if (c.loss() == null) {
            c.loss("ce");
        }
        if (c.labelSmoothing() == null) {
            c.labelSmoothing(c.loss().equals("ce") ? 0.1 : 0.0);
        }
        if (c.gradAccum() == null) {
            c.gradAccum(1);
        }
        if (c.clip() == null) {
            c.clip(0.0);
        }
        if (c.augment() == null) {
            // flips turn digits into other glyphs: none for digit data and sequences
            boolean digits = dataset.heads() > 1 || dataset.name().toLowerCase(Locale.ROOT).equals("mnist");
            c.augment(digits ? "none" : gray ? "light" : "standard");
        }
        if (c.normalize() == null) {
            c.normalize("auto");
        }
        if (c.validSplit() == null) {
            c.validSplit(0.1);
        }
        if (c.backoff() == null) {
            c.backoff(true);
        }
        if (c.seed() == null) {
            c.seed(0L);
        }
        if (c.run() == null) {
            c.run(c.model() + "-" + dataset.name() + "-"
                    + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss", Locale.ROOT)));
        }
        if (c.runsDir() == null) {
            c.runsDir("runs");
        }
        if (c.device() == null) {
            c.device("cpu");
        }
        int cores = java.lang.Runtime.getRuntime().availableProcessors();
        if (c.threads() == null) {
            c.threads(cores);
        }
        if (c.workers() == null) {
            c.workers(cores);
        }
        if (c.checkpointMinutes() == null) {
            c.checkpointMinutes(10.0);
        }
        if (c.checkpointBatches() == null) {
            c.checkpointBatches(0);
        }
        return c.build();
    }
}
