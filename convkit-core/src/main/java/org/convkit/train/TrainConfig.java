package org.convkit.train;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.convkit.core.ConvkitException;
import org.convkit.core.Json;
import org.convkit.data.load.Loader;
import org.convkit.model.ModelKnobs;

/**
 * Everything {@code convkit train} can be told, under the flag names: a config file ({@code
 * --config FILE}, JSON) uses the same keys ({@code "batch-size": 128}), and the resolved config is
 * saved as {@code runs/<name>/config.json}. {@code null} = not given: {@link Recipe} fills it with
 * a default that fits the data and the model.
 *
 * <p>Immutable: {@link #builder()} makes one, {@link #toBuilder()} a changed copy (as DJL's
 * configs), so a config handed to a session cannot change under it.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder(alphabetic = false)
public record TrainConfig(
        @JsonProperty("data") String data,
        @JsonProperty("model") String model,
        @JsonProperty("epochs") Integer epochs,
        @JsonProperty("batch-size") Integer batchSize,
        /** The peak learning rate; {@link #LR_AUTO} (written "auto") = find it with the range test first. */
        @JsonProperty("lr") @JsonSerialize(using = LrAuto.Writer.class) @JsonDeserialize(using = LrAuto.Reader.class) Double lr,
        @JsonProperty("optimizer") String optimizer,
        @JsonProperty("momentum") Double momentum,
        @JsonProperty("nesterov") Boolean nesterov,
        @JsonProperty("weight-decay") Double weightDecay,
        @JsonProperty("schedule") String schedule,
        @JsonProperty("warmup") Double warmup,
        @JsonProperty("step-epochs") Integer stepEpochs,
        @JsonProperty("gamma") Double gamma,
        @JsonProperty("label-smoothing") Double labelSmoothing,
        /** MixUp's Beta parameter (0 = off); see {@link Mixing}. */
        @JsonProperty("mixup") Double mixup,
        /** CutMix's Beta parameter (0 = off); see {@link Mixing}. */
        @JsonProperty("cutmix") Double cutmix,
        @JsonProperty("loss") String loss,
        @JsonProperty("grad-accum") Integer gradAccum,
        @JsonProperty("clip") Double clip,
        @JsonProperty("image-size") Integer imageSize,
        @JsonProperty("augment") String augment,
        @JsonProperty("normalize") String normalize,
        @JsonProperty("valid-split") Double validSplit,
        @JsonProperty("heads") Integer heads,
        // where the data's labels and images are, and its pipelines (the data options of every command)
        @JsonProperty("images") String images,
        @JsonProperty("labels") String labels,
        @JsonProperty("labels-from") String labelsFrom,
        @JsonProperty("class-names") String classNames,
        @JsonProperty("no-download") Boolean noDownload,
        @JsonProperty("transforms") String transforms,
        @JsonProperty("eval-transforms") String evalTransforms,
        @JsonProperty("patience") Integer patience,
        @JsonProperty("monitor") String monitor,
        /** When a loss diverges (NaN, or 10x its best): back off (last good weights, lr / 10) instead of going on or stopping. */
        @JsonProperty("backoff") Boolean backoff,
        @JsonProperty("seed") Long seed,
        @JsonProperty("run") String run,
        @JsonProperty("runs-dir") String runsDir,
        @JsonProperty("device") String device,
        @JsonProperty("threads") Integer threads,
        @JsonProperty("workers") Integer workers,
        @JsonProperty("checkpoint-minutes") Double checkpointMinutes,
        @JsonProperty("checkpoint-batches") Integer checkpointBatches,
        /** fp32, or bf16: convolutions multiply in bfloat16, everything else stays float32 (see EngineSettings). */
        @JsonProperty("precision") String precision,
        /** A wall-time budget ("5m", "90s", "1h"): the schedule is fitted to it and ends when it does. */
        @JsonProperty("budget") String budget,
        // how the network is shaped (see `convkit summary --help`); classes and input come from the data
        @JsonProperty("width") Double width,
        @JsonProperty("arch") String arch,
        @JsonProperty("fc") String fc,
        @JsonProperty("dropout") Double dropout,
        @JsonProperty("stem") String stem,
        @JsonProperty("activation") String activation,
        @JsonProperty("pool") String pool) {

    /** {@code --lr auto}: run the learning-rate range test and train with its suggestion. */
    public static final double LR_AUTO = Double.NaN;

    /** Nothing given: every value from {@link Recipe}. */
    public static final TrainConfig EMPTY = builder().build();

    /** True when {@code --lr auto} asks for the range test. */
    @JsonIgnore
    public boolean lrAuto() {
        return lr != null && lr.isNaN();
    }

    /** The batch mixing of {@code --mixup} and {@code --cutmix}. */
    @JsonIgnore
    public Mixing mixing() {
        return Mixing.of(mixup, cutmix);
    }

    /** The model knobs ({@code --width --arch --fc --dropout --stem --activation --pool}) as one value. */
    @JsonIgnore
    public ModelKnobs knobs() {
        return new ModelKnobs(width, arch, fc, dropout, stem, activation, pool);
    }

    /**
     * Loader options of a run with this (resolved) config for {@code split}: training shuffled
     * with the run's seed and its last partial batch dropped, the others every sample once. The
     * loaders read every epoch (training and validation) keep decoded samples in memory while a
     * budget allows; a test split is read once and keeps none.
     */
    public Loader.Options loaderOptions(int channels, String split, boolean training) {
        Loader.Options o = training ? Loader.Options.train(batchSize, seed) : Loader.Options.eval(batchSize);
        boolean everyEpoch = training || "valid".equals(split);
        return o.withChannels(channels).withSplit(split).withWorkers(workers).withPrefetch(Math.max(2, 2 * workers))
                .withKeepBytes(everyEpoch ? Loader.Options.defaultKeepBytes() : 0);
    }

    /** An empty builder. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this config's values. */
    public Builder toBuilder() {
        Builder b = new Builder();
            b.data = data;
            b.model = model;
            b.epochs = epochs;
            b.batchSize = batchSize;
            b.lr = lr;
            b.optimizer = optimizer;
            b.momentum = momentum;
            b.nesterov = nesterov;
            b.weightDecay = weightDecay;
            b.schedule = schedule;
            b.warmup = warmup;
            b.stepEpochs = stepEpochs;
            b.gamma = gamma;
            b.labelSmoothing = labelSmoothing;
            b.mixup = mixup;
            b.cutmix = cutmix;
            b.loss = loss;
            b.gradAccum = gradAccum;
            b.clip = clip;
            b.imageSize = imageSize;
            b.augment = augment;
            b.normalize = normalize;
            b.validSplit = validSplit;
            b.heads = heads;
            b.images = images;
            b.labels = labels;
            b.labelsFrom = labelsFrom;
            b.classNames = classNames;
            b.noDownload = noDownload;
            b.transforms = transforms;
            b.evalTransforms = evalTransforms;
            b.patience = patience;
            b.monitor = monitor;
            b.backoff = backoff;
            b.seed = seed;
            b.run = run;
            b.runsDir = runsDir;
            b.device = device;
            b.threads = threads;
            b.workers = workers;
            b.checkpointMinutes = checkpointMinutes;
            b.checkpointBatches = checkpointBatches;
            b.precision = precision;
            b.budget = budget;
            b.width = width;
            b.arch = arch;
            b.fc = fc;
            b.dropout = dropout;
            b.stem = stem;
            b.activation = activation;
            b.pool = pool;
        return b;
    }

    /** Builds a {@link TrainConfig}; the getters read what was set so far (null = not set). */
    public static final class Builder {
        private String data;
        private String model;
        private Integer epochs;
        private Integer batchSize;
        private Double lr;
        private String optimizer;
        private Double momentum;
        private Boolean nesterov;
        private Double weightDecay;
        private String schedule;
        private Double warmup;
        private Integer stepEpochs;
        private Double gamma;
        private Double labelSmoothing;
        private Double mixup;
        private Double cutmix;
        private String loss;
        private Integer gradAccum;
        private Double clip;
        private Integer imageSize;
        private String augment;
        private String normalize;
        private Double validSplit;
        private Integer heads;
        private String images;
        private String labels;
        private String labelsFrom;
        private String classNames;
        private Boolean noDownload;
        private String transforms;
        private String evalTransforms;
        private Integer patience;
        private String monitor;
        private Boolean backoff;
        private Long seed;
        private String run;
        private String runsDir;
        private String device;
        private Integer threads;
        private Integer workers;
        private Double checkpointMinutes;
        private Integer checkpointBatches;
        private String precision;
        private String budget;
        private Double width;
        private String arch;
        private String fc;
        private Double dropout;
        private String stem;
        private String activation;
        private String pool;

        private Builder() {}

        public Builder data(String v) { data = v; return this; }
        public Builder model(String v) { model = v; return this; }
        public Builder epochs(Integer v) { epochs = v; return this; }
        public Builder batchSize(Integer v) { batchSize = v; return this; }
        public Builder lr(Double v) { lr = v; return this; }
        public Builder optimizer(String v) { optimizer = v; return this; }
        public Builder momentum(Double v) { momentum = v; return this; }
        public Builder nesterov(Boolean v) { nesterov = v; return this; }
        public Builder weightDecay(Double v) { weightDecay = v; return this; }
        public Builder schedule(String v) { schedule = v; return this; }
        public Builder warmup(Double v) { warmup = v; return this; }
        public Builder stepEpochs(Integer v) { stepEpochs = v; return this; }
        public Builder gamma(Double v) { gamma = v; return this; }
        public Builder labelSmoothing(Double v) { labelSmoothing = v; return this; }
        public Builder mixup(Double v) { mixup = v; return this; }
        public Builder cutmix(Double v) { cutmix = v; return this; }
        public Builder loss(String v) { loss = v; return this; }
        public Builder gradAccum(Integer v) { gradAccum = v; return this; }
        public Builder clip(Double v) { clip = v; return this; }
        public Builder imageSize(Integer v) { imageSize = v; return this; }
        public Builder augment(String v) { augment = v; return this; }
        public Builder normalize(String v) { normalize = v; return this; }
        public Builder validSplit(Double v) { validSplit = v; return this; }
        public Builder heads(Integer v) { heads = v; return this; }
        public Builder images(String v) { images = v; return this; }
        public Builder labels(String v) { labels = v; return this; }
        public Builder labelsFrom(String v) { labelsFrom = v; return this; }
        public Builder classNames(String v) { classNames = v; return this; }
        public Builder noDownload(Boolean v) { noDownload = v; return this; }
        public Builder transforms(String v) { transforms = v; return this; }
        public Builder evalTransforms(String v) { evalTransforms = v; return this; }
        public Builder patience(Integer v) { patience = v; return this; }
        public Builder monitor(String v) { monitor = v; return this; }
        public Builder backoff(Boolean v) { backoff = v; return this; }
        public Builder seed(Long v) { seed = v; return this; }
        public Builder run(String v) { run = v; return this; }
        public Builder runsDir(String v) { runsDir = v; return this; }
        public Builder device(String v) { device = v; return this; }
        public Builder threads(Integer v) { threads = v; return this; }
        public Builder workers(Integer v) { workers = v; return this; }
        public Builder checkpointMinutes(Double v) { checkpointMinutes = v; return this; }
        public Builder checkpointBatches(Integer v) { checkpointBatches = v; return this; }
        public Builder precision(String v) { precision = v; return this; }
        public Builder budget(String v) { budget = v; return this; }
        public Builder width(Double v) { width = v; return this; }
        public Builder arch(String v) { arch = v; return this; }
        public Builder fc(String v) { fc = v; return this; }
        public Builder dropout(Double v) { dropout = v; return this; }
        public Builder stem(String v) { stem = v; return this; }
        public Builder activation(String v) { activation = v; return this; }
        public Builder pool(String v) { pool = v; return this; }

        public String data() { return data; }
        public String model() { return model; }
        public Integer epochs() { return epochs; }
        public Integer batchSize() { return batchSize; }
        public Double lr() { return lr; }
        public String optimizer() { return optimizer; }
        public Double momentum() { return momentum; }
        public Boolean nesterov() { return nesterov; }
        public Double weightDecay() { return weightDecay; }
        public String schedule() { return schedule; }
        public Double warmup() { return warmup; }
        public Integer stepEpochs() { return stepEpochs; }
        public Double gamma() { return gamma; }
        public Double labelSmoothing() { return labelSmoothing; }
        public Double mixup() { return mixup; }
        public Double cutmix() { return cutmix; }
        public String loss() { return loss; }
        public Integer gradAccum() { return gradAccum; }
        public Double clip() { return clip; }
        public Integer imageSize() { return imageSize; }
        public String augment() { return augment; }
        public String normalize() { return normalize; }
        public Double validSplit() { return validSplit; }
        public Integer heads() { return heads; }
        public String images() { return images; }
        public String labels() { return labels; }
        public String labelsFrom() { return labelsFrom; }
        public String classNames() { return classNames; }
        public Boolean noDownload() { return noDownload; }
        public String transforms() { return transforms; }
        public String evalTransforms() { return evalTransforms; }
        public Integer patience() { return patience; }
        public String monitor() { return monitor; }
        public Boolean backoff() { return backoff; }
        public Long seed() { return seed; }
        public String run() { return run; }
        public String runsDir() { return runsDir; }
        public String device() { return device; }
        public Integer threads() { return threads; }
        public Integer workers() { return workers; }
        public Double checkpointMinutes() { return checkpointMinutes; }
        public Integer checkpointBatches() { return checkpointBatches; }
        public String precision() { return precision; }
        public String budget() { return budget; }
        public Double width() { return width; }
        public String arch() { return arch; }
        public String fc() { return fc; }
        public Double dropout() { return dropout; }
        public String stem() { return stem; }
        public String activation() { return activation; }
        public String pool() { return pool; }

        /** Sets the seven model knobs at once. */
        public Builder knobs(ModelKnobs k) {
            return width(k.width()).arch(k.arch()).fc(k.fc()).dropout(k.dropout()).stem(k.stem())
                    .activation(k.activation()).pool(k.pool());
        }

        public TrainConfig build() {
            return new TrainConfig(data, model, epochs, batchSize, lr, optimizer, momentum, nesterov, weightDecay, schedule, warmup,
                    stepEpochs, gamma, labelSmoothing, mixup, cutmix, loss, gradAccum, clip, imageSize, augment, normalize, validSplit,
                    heads, images, labels, labelsFrom, classNames, noDownload, transforms, evalTransforms, patience, monitor, backoff, seed, run, runsDir, device, threads, workers, checkpointMinutes, checkpointBatches,
                    precision, budget,
                    width, arch, fc, dropout, stem, activation, pool);
        }
    }

    private static final ObjectMapper JSON = Json.mapper();

    /** The keys a config file may use (= the flag names without dashes). */
    public static List<String> keys() {
        return Json.keys(TrainConfig.class);
    }

    /**
     * Reads a JSON config file leaving out {@code otherKeys} (those of a command with more flags,
     * e.g. {@code finetune}, read separately).
     */
    public static TrainConfig read(Path file, Set<String> otherKeys) {
        return fromMap(readMap(file, otherKeys), file.toString());
    }

    /** The JSON object of a config file, minus {@code otherKeys}. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> readMap(Path file, Set<String> otherKeys) {
        if (!Files.isRegularFile(file)) {
            throw new ConvkitException("--config " + file + ": no such file");
        }
        try {
            Map<String, Object> m = JSON.readValue(file.toFile(), LinkedHashMap.class);
            m.keySet().removeAll(otherKeys);
            return m;
        } catch (IOException e) {
            throw new ConvkitException("--config " + file + ": not a JSON object (" + e.getMessage().split("\n")[0]
                    + "). Keys are the flag names, e.g. {\"epochs\": 10, \"batch-size\": 128}", e);
        }
    }

    /** A config from key -> value (keys = flag names); {@code where} names the source in errors. */
    public static TrainConfig fromMap(Map<?, ?> map, String where) {
        try {
            return JSON.convertValue(map, TrainConfig.class);
        } catch (IllegalArgumentException e) {
            Throwable c = e.getCause();
            if (c instanceof UnrecognizedPropertyException u) {
                throw new ConvkitException(where + ": unknown key '" + u.getPropertyName() + "'. Known keys: "
                        + String.join(", ", keys()), e);
            }
            if (c instanceof JsonMappingException m && !m.getPath().isEmpty()) {
                throw new ConvkitException(where + ": key '" + m.getPath().get(0).getFieldName()
                        + "' has a value of the wrong type (" + m.getOriginalMessage().split("\n")[0] + ")", e);
            }
            throw new ConvkitException(where + ": " + e.getMessage(), e);
        }
    }

    /** The given (non-null) values by key, in declaration order. */
    public Map<String, Object> toMap() {
        return Json.toMap(this);
    }

    /** This config with every non-null value of {@code over} replacing its own. */
    public TrainConfig overlay(TrainConfig over) {
        return fromMap(Json.overlay(this, over), "config");
    }
}
