package org.convkit.train;

import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import org.convkit.data.Dataset;
import org.convkit.data.load.Loader;
import org.convkit.data.image.Pipeline;
import org.convkit.model.ConvNet;
import org.convkit.train.optim.ParamGroup;
import org.convkit.train.schedule.Schedule;
import org.convkit.train.schedule.Schedules;

/**
 * What a run trains and how, beside the steps every run shares ({@link Training}: data, defaults,
 * loaders, run folder, checkpoints, the final evaluation and report). {@link #FROM_SCRATCH} trains
 * every parameter of a freshly initialized network; fine-tuning ({@code org.convkit.transfer})
 * loads a backbone, freezes it in phases or trains the head on cached features. Every method has
 * the from-scratch behaviour as its default.
 */
public interface TrainingPlan {
    /** {@code convkit train}: all parameters, one group, the configured schedule. */
    TrainingPlan FROM_SCRATCH = new TrainingPlan() {};

    /**
     * Everything a plan may need about the run being set up.
     *
     * @param config the resolved config
     * @param dataset the opened data
     * @param net the network, initialized in {@code manager}
     * @param channels input channels the loaders deliver
     * @param resuming true when continuing a run from its {@code checkpoints/last}
     * @param loaders loaders a plan opened ({@link #openLoader}): closed with the run, their
     *     skipped samples listed in skipped.csv
     */
    record Setup(TrainConfig config, Dataset dataset, ConvNet net, Device device, NDManager manager, RunWriter run,
            Pipeline trainPipeline, Pipeline evalPipeline, int channels, boolean resuming, PrintStream out,
            List<Loader> loaders) {
        /** Loader options of this run for {@code split} (training: shuffled, last partial batch dropped). */
        public Loader.Options loaderOptions(String split, boolean training) {
            return config.loaderOptions(channels, split, training);
        }

        /** A loader the run closes at its end and whose skipped samples go into skipped.csv. */
        public Loader openLoader(org.convkit.data.ImageSource source, Pipeline pipeline, Loader.Options options) {
            Loader l = new Loader(source, pipeline, options);
            loaders.add(l);
            return l;
        }
    }

    /** True when the network starts from trained weights (fine-tuning): the {@link Recipe} trains it shorter. */
    default boolean pretrained() {
        return false;
    }

    /** Settles values before {@link Recipe} fills in the defaults (fine-tuning: the checkpoint's model). */
    default TrainConfig settle(TrainConfig given, Dataset dataset) {
        return given;
    }

    /**
     * The normalization the plan's weights expect, used when {@code --normalize} is not given
     * (fine-tuning a convkit checkpoint: the one it was trained with), or null for the
     * {@link Recipe}'s. Called after {@link #settle}.
     */
    default org.convkit.data.image.Normalize normalization() {
        return null;
    }

    /** Keys this plan adds to {@code config.json} beside {@link TrainConfig}'s (its own flags). */
    default java.util.Set<String> configKeys() {
        return java.util.Set.of();
    }

    /** The resolved config as {@code config.json} stores it (a plan adds its own keys). */
    default Map<String, Object> config(TrainConfig c) {
        return c.toMap();
    }

    /**
     * After the network is built and initialized, before a resumed run loads {@code
     * checkpoints/last} into it: load weights, adapt, freeze.
     */
    default void prepare(Setup s) {}

    /** The optimizer's parameter groups. */
    default List<ParamGroup> paramGroups(ConvNet net, TrainConfig c) {
        return ParamGroups.all(net, c.weightDecay());
    }

    /** The learning-rate schedule over the whole run. */
    default Schedule schedule(TrainConfig c, long stepsPerEpoch) {
        return Schedules.create(c.schedule(), c.epochs(), stepsPerEpoch, c.warmup(), c.stepEpochs(), c.gamma());
    }

    /** The training batches (fine-tuning's feature mode: cached backbone features). */
    default Batches trainBatches(Setup s, Batches images) {
        return images;
    }

    /** The validation batches, or null for none. */
    default Batches validBatches(Setup s, Batches images) {
        return images;
    }

    /** Callbacks beside the standard ones (progress, metrics, checkpoints, divergence guard ...). */
    default List<Callback> callbacks(Setup s) {
        return List.of();
    }

    /** Extra {@code metrics.csv} columns (e.g. the fine-tuning phase). */
    default List<EpochColumns> columns(Setup s) {
        return List.of();
    }

    /** Runs the epochs (fine-tuning: one fit per phase, freezing changed in between). */
    default FitResult fit(Learner learner, Batches train, Batches valid, Setup s) {
        return learner.fit(s.config().epochs(), train, valid);
    }

    /** After training, before the best checkpoint is evaluated on images. */
    default void afterFit(Setup s) {}
}
