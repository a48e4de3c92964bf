package org.convkit.train;

import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import org.convkit.core.ConvkitException;
import org.convkit.data.Dataset;
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

    /**
     * The share of the training split held out for validation when the data has no validation
     * split, and the run's seed, when not given. The data is opened with them before the rest of
     * the recipe can be chosen from it, and {@code eval} re-makes the same split from config.json.
     */
    public static final double VALID_SPLIT = 0.1;

    public static final long SEED = 0;

    /** Inputs up to this size count as small (CIFAR, MNIST): larger batches, the CIFAR ResNet stem. */
    static final int SMALL = 64;

    private Recipe() {}

    /**
     * A resolved config and, for each default chosen from the data rather than fixed, one line
     * saying what and why ("batch 16 because ..."), for the console; with what the data was seen
     * to be (its images' channels and size among it).
     */
    public record Resolved(TrainConfig config, List<String> reasons, DataStats data) {}

    /** {@code given} with every missing value filled for {@code dataset}. */
    public static TrainConfig resolve(TrainConfig given, Dataset dataset) {
        return explain(given, dataset, false).config();
    }

    /**
     * As {@link #resolve}, with the reasons: for a folder of the user's own photos ({@link
     * DataStats#photos()}) the model, input size, batch size, epochs and learning rate not given
     * are chosen from the number of images and classes and the images' size ({@link #forPhotos});
     * built-in datasets (the main job) keep their fixed recipe.
     *
     * @param pretrained the network starts from trained weights (fine-tuning): fewer epochs
     */
    public static Resolved explain(TrainConfig given, Dataset dataset, boolean pretrained) {
        DataStats stats = DataStats.of(dataset);
        TrainConfig.Builder c = given.toBuilder();
        List<String> reasons = stats.photos() ? forPhotos(stats, c, pretrained) : List.of();
        return new Resolved(fill(c, dataset, stats), reasons, stats);
    }

    /** Below this many training images a network is made narrower and batches smaller. */
    static final int FEW = 1000;
    /** Photos up to this size (shorter side) are thumbnails such as CIFAR's: kept at their size. */
    static final int THUMBNAIL = 48;
    /** The input size for larger photos: keeps a few minutes of CPU enough for 10+ epochs. */
    static final int PHOTO_SIZE = 64;
    /** Epochs from scratch below 10,000 photos (see {@link #forPhotos}). */
    static final int EPOCHS = 30;
    /** Below 10,000 photos from scratch: MixUp's alpha, and the epochs it is given (see {@link #forPhotos}). */
    static final double MIXUP_ALPHA = 0.4;
    static final int MIXUP_EPOCHS = 40;
    /** From this many training photos on, a first run gets few epochs and no mixing. */
    static final int MANY = 10_000;
    /** AdamW's peak learning rate for photos from scratch (the optimizer the recipe picks there). */
    static final double ADAMW_LR = 3e-3;
    /** AdamW's weight decay for photos from scratch, ten times torch's default (see {@link #forPhotos}). */
    static final double ADAMW_WEIGHT_DECAY = 0.1;

    /**
     * The choices for a folder of photos, into {@code c} where it has no value yet; returns one line
     * per choice with its reason. Explicit flags, a config file and a plan's settled values (a
     * fine-tuned checkpoint's model) are never changed.
     */
    static List<String> forPhotos(DataStats d, TrainConfig.Builder c, boolean pretrained) {
        List<String> why = new ArrayList<>();
        boolean few = d.images() < FEW;
        boolean thumbnails = d.side() != null && d.side() <= THUMBNAIL;
        String images = String.format(Locale.ROOT, "%,d training images", d.images());
        if (c.model() == null) {
            c.model("resnet9");
            // width 0.25 and a strided first conv on photos: in the few minutes a first run gets, this
            // ResNet-9 learned more than resnet18 at width 0.5 on flowers128 (3,457 photos at 64 px), at
            // less cost per image (bench/RESULTS.md, "First try on own photos")
            if (c.width() == null) {
                c.width(0.25);
            }
            if (c.stem() == null) {
                c.stem(thumbnails ? "cifar" : "stride2");
            }
            String shape = "width " + fmt(c.width())
                    + (c.stem().equals("stride2") ? ", first conv at stride 2" : "")
                    + (c.width() == 0.25 ? ": about 0.4M parameters" : c.width() == 1.0 ? ": 6.6M parameters" : "");
            why.add(String.format(Locale.ROOT, "model resnet9 (%s) because of %s in %d classes%s", shape, images,
                    d.classes(), thumbnails ? " at " + d.side() + " px"
                            : ": a small network learns more in the few minutes a CPU affords"));
            if (c.imageSize() == null) {
                int size = thumbnails ? d.side() : d.side() != null ? Math.min(PHOTO_SIZE, d.side()) : PHOTO_SIZE;
                c.imageSize(size);
                why.add(thumbnails
                        ? String.format(Locale.ROOT, "input %dx%d: the images' own size", size, size)
                        : String.format(Locale.ROOT, "input %dx%d because the photos are %s and %d px keeps every"
                                + " epoch short on a CPU", size, size, d.side() == null ? "of mixed size"
                                : "about " + d.side() + " px (shorter side)", size));
            }
        }
        if (c.batchSize() == null) {
            c.batchSize(few ? 16 : 32);
            why.add(few ? "batch 16 because of " + images + ": more steps per epoch (BatchNorm still sees 16)"
                    : "batch 32");
        }
        if (c.epochs() == null) {
            // from scratch the small network fits nine in ten augmented training photos by the end of
            // 30 epochs, and more epochs alone only memorize more; blends of photos cannot be
            // memorized, so with MixUp 40 epochs beat 30 on flowers128 (bench/RESULTS.md, "MixUp").
            // MixUp comes with the epochs it needs: a run whose length the user set (--epochs,
            // --budget) gets none it did not ask for, since in 30 epochs it cost accuracy
            if (!pretrained && d.images() < MANY && c.budget() == null && c.mixup() == null && c.cutmix() == null) {
                c.mixup(MIXUP_ALPHA);
                why.add("mixup " + fmt(MIXUP_ALPHA) + " (each training photo blended with another, and their labels:"
                        + " a network from scratch cannot memorize the blends, so it can train longer)");
            }
            boolean mixed = Mixing.of(c.mixup(), c.cutmix()).enabled();
            // 30 or 40 passes fit a first run's few minutes below 10,000 images; trained weights need
            // few (fastai's fine_tune: one epoch for the new head, then a few for everything)
            int epochs = pretrained ? (few ? 5 : 4) : d.images() < MANY ? (mixed ? MIXUP_EPOCHS : EPOCHS) : 6;
            c.epochs(epochs);
            why.add(String.format(Locale.ROOT, "%d epochs because of %s%s", epochs, images,
                    pretrained ? " and trained weights to start from" : mixed && d.images() < MANY ? " and mixing" : ""));
        }
        // from scratch, AdamW at a fixed 3e-3 beat SGD with --lr auto on all four photo folders
        // measured and never diverged (bench/RESULTS.md, "First try on own photos"); the range
        // test's answers for Adam trained worse there. A
        // learning rate given without an optimizer was meant for the documented default, SGD, so
        // it keeps SGD.
        boolean lrNumber = c.lr() != null && !Double.isNaN(c.lr());
        if (!pretrained && c.optimizer() == null && !lrNumber) {
            c.optimizer("adamw");
            why.add("optimizer adamw because from scratch on photos it learns more than SGD in the few epochs a CPU"
                    + " affords");
        }
        // at torch's 0.01 the small network fits nine in ten augmented training photos by the end;
        // 0.1 raised flowers128's mean over five seeds and the 250-image folder, and moved the
        // other two folders by less than a seed does (bench/RESULTS.md, "Weight decay 0.1")
        if (!pretrained && "adamw".equalsIgnoreCase(c.optimizer()) && c.weightDecay() == null) {
            c.weightDecay(ADAMW_WEIGHT_DECAY);
            why.add("weight decay " + fmt(ADAMW_WEIGHT_DECAY) + " (AdamW's usual 0.01 lets a network from scratch"
                    + " memorize a few thousand photos)");
        }
        if (c.lr() == null) {
            if (!pretrained && "adamw".equalsIgnoreCase(c.optimizer())) {
                c.lr(ADAMW_LR);
                why.add("lr " + fmt(ADAMW_LR) + " (one-cycle peak) for AdamW from scratch: it trained every photo"
                        + " folder measured without diverging (--lr auto runs a range test instead)");
            } else {
                c.lr(TrainConfig.LR_AUTO);
                why.add("--lr auto: the right learning rate depends on the data, so a range test runs first");
            }
        }
        if (c.augment() == null && c.transforms() == null) { // --transforms is the training pipeline itself
            c.augment("standard");
            why.add("augment standard (random crops and flips) because " + images + " are easy to memorize");
        }
        return why;
    }

    private static String fmt(double v) {
        return new java.math.BigDecimal(Double.toString(v)).stripTrailingZeros().toPlainString();
    }

    /** Every value {@code c} has not got yet: the fixed recipe (by model, image size and channels). */
    private static TrainConfig fill(TrainConfig.Builder c, Dataset dataset, DataStats shape) {
        if (c.data() == null) {
            c.data(DEFAULT_DATA);
        }
        Integer nativeSize = shape.size();
        boolean gray = shape.channels() != null && shape.channels() == 1;
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
            c.validSplit(VALID_SPLIT);
        }
        if (c.backoff() == null) {
            c.backoff(true);
        }
        if (c.seed() == null) {
            c.seed(SEED);
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
