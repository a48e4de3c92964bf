package org.convkit.train;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.convkit.core.ConvkitException;

/**
 * Everything {@code convkit train} can be told, under the flag names: a config file ({@code
 * --config FILE}, JSON) uses the same keys ({@code "batch-size": 128}), and the resolved config is
 * saved as {@code runs/<name>/config.json}. {@code null} = not given: {@link Recipe} fills it with
 * a default that fits the data and the model.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder(alphabetic = false)
public final class TrainConfig {
    @JsonProperty("data") public String data;
    @JsonProperty("model") public String model;
    @JsonProperty("epochs") public Integer epochs;
    @JsonProperty("batch-size") public Integer batchSize;
    /** The peak learning rate; {@link #LR_AUTO} (written "auto") = find it with the range test first. */
    @JsonProperty("lr") @JsonSerialize(using = LrAuto.Writer.class) @JsonDeserialize(using = LrAuto.Reader.class)
    public Double lr;
    @JsonProperty("optimizer") public String optimizer;
    @JsonProperty("momentum") public Double momentum;
    @JsonProperty("nesterov") public Boolean nesterov;
    @JsonProperty("weight-decay") public Double weightDecay;
    @JsonProperty("schedule") public String schedule;
    @JsonProperty("warmup") public Double warmup;
    @JsonProperty("step-epochs") public Integer stepEpochs;
    @JsonProperty("gamma") public Double gamma;
    @JsonProperty("label-smoothing") public Double labelSmoothing;
    @JsonProperty("loss") public String loss;
    @JsonProperty("grad-accum") public Integer gradAccum;
    @JsonProperty("clip") public Double clip;
    @JsonProperty("image-size") public Integer imageSize;
    @JsonProperty("augment") public String augment;
    @JsonProperty("normalize") public String normalize;
    @JsonProperty("valid-split") public Double validSplit;
    @JsonProperty("heads") public Integer heads;
    @JsonProperty("patience") public Integer patience;
    @JsonProperty("seed") public Long seed;
    @JsonProperty("run") public String run;
    @JsonProperty("runs-dir") public String runsDir;
    @JsonProperty("device") public String device;
    @JsonProperty("threads") public Integer threads;
    @JsonProperty("workers") public Integer workers;
    @JsonProperty("checkpoint-minutes") public Double checkpointMinutes;
    @JsonProperty("checkpoint-batches") public Integer checkpointBatches;
    // how the network is shaped (see `convkit summary --help`); classes and input come from the data
    @JsonProperty("width") public Double width;
    @JsonProperty("arch") public String arch;
    @JsonProperty("fc") public String fc;
    @JsonProperty("dropout") public Double dropout;
    @JsonProperty("stem") public String stem;
    @JsonProperty("activation") public String activation;

    /** {@code --lr auto}: run the learning-rate range test and train with its suggestion. */
    public static final double LR_AUTO = Double.NaN;

    /** True when {@code --lr auto} asks for the range test. */
    public boolean lrAuto() {
        return lr != null && lr.isNaN();
    }

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

    /** The keys a config file may use (= the flag names without dashes). */
    public static List<String> keys() {
        List<String> out = new ArrayList<>();
        for (java.lang.reflect.Field f : TrainConfig.class.getFields()) {
            JsonProperty p = f.getAnnotation(JsonProperty.class);
            if (p != null) {
                out.add(p.value());
            }
        }
        return out;
    }

    /**
     * Reads a JSON config file leaving out {@code otherKeys} (those of a command with more flags,
     * e.g. {@code finetune}, read separately).
     */
    public static TrainConfig read(Path file, java.util.Set<String> otherKeys) {
        return fromMap(readMap(file, otherKeys), file.toString());
    }

    /** The JSON object of a config file, minus {@code otherKeys}. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> readMap(Path file, java.util.Set<String> otherKeys) {
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
    @SuppressWarnings("unchecked")
    public Map<String, Object> toMap() {
        return JSON.convertValue(this, LinkedHashMap.class);
    }

    /** This config with every non-null value of {@code over} replacing its own. */
    public TrainConfig overlay(TrainConfig over) {
        Map<String, Object> m = toMap();
        m.putAll(over.toMap());
        return fromMap(m, "config");
    }

    /** A copy. */
    public TrainConfig copy() {
        return fromMap(toMap(), "config");
    }
}
