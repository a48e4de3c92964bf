package org.convkit.transfer;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.convkit.core.Choices;
import org.convkit.core.ConvkitException;
import org.convkit.core.Json;

/**
 * What {@code convkit finetune} adds to the training flags, under the flag names (the run's
 * config.json holds them beside the training keys). {@code null} = not given. Immutable, as
 * {@link org.convkit.train.TrainConfig}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record FineTuneOptions(
        @JsonProperty("from") String from,
        @JsonProperty("freeze-epochs") Integer freezeEpochs,
        @JsonProperty("unfreeze") String unfreeze,
        @JsonProperty("backbone-lr-factor") Double backboneLrFactor,
        @JsonProperty("mode") String mode,
        @JsonProperty("adapt-channels") Boolean adaptChannels,
        @JsonProperty("key-map") String keyMap) {
    /** {@code --mode}: train the whole network in phases, or only the head on cached features. */
    public enum Mode {
        FULL, FEATURES;

        public static Mode parse(String s) {
            return Choices.parse(Mode.class, "--mode", s);
        }

        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private static final ObjectMapper JSON = Json.mapper();

    /** The keys (= flag names without dashes). */
    public static Set<String> keys() {
        return new LinkedHashSet<>(Json.keys(FineTuneOptions.class));
    }

    /** The options among {@code map}'s entries (other keys are left for the training config). */
    public static FineTuneOptions fromMap(Map<?, ?> map) {
        Map<String, Object> mine = new LinkedHashMap<>();
        map.forEach((k, v) -> {
            if (keys().contains(String.valueOf(k))) {
                mine.put(String.valueOf(k), v);
            }
        });
        try {
            return JSON.convertValue(mine, FineTuneOptions.class);
        } catch (IllegalArgumentException e) {
            throw new ConvkitException("fine-tuning options " + mine + ": " + e.getMessage().split("\n")[0], e);
        }
    }

    public Map<String, Object> toMap() {
        return Json.toMap(this);
    }

    /** This with every non-null value of {@code over} replacing its own. */
    public FineTuneOptions overlay(FineTuneOptions over) {
        return fromMap(Json.overlay(this, over));
    }

    /** These options with {@code --freeze-epochs k} (null = not given). */
    public FineTuneOptions withFreezeEpochs(Integer k) {
        return new FineTuneOptions(from, k, unfreeze, backboneLrFactor, mode, adaptChannels, keyMap);
    }

    @com.fasterxml.jackson.annotation.JsonIgnore
    public Mode modeOrDefault() {
        return mode == null ? Mode.FULL : Mode.parse(mode);
    }
}
