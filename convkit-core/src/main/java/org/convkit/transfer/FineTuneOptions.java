package org.convkit.transfer;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.convkit.core.ConvkitException;

/**
 * What {@code convkit finetune} adds to the training flags, under the flag names (the run's
 * config.json holds them beside the training keys). {@code null} = not given.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public final class FineTuneOptions {
    /** {@code --mode}: train the whole network in phases, or only the head on cached features. */
    public enum Mode {
        FULL, FEATURES;

        public static Mode parse(String s) {
            try {
                return valueOf(s.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException | NullPointerException e) {
                throw new ConvkitException("--mode " + s + ": expected full or features");
            }
        }

        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    @JsonProperty("from") public String from;
    @JsonProperty("freeze-epochs") public Integer freezeEpochs;
    @JsonProperty("unfreeze") public String unfreeze;
    @JsonProperty("backbone-lr-factor") public Double backboneLrFactor;
    @JsonProperty("mode") public String mode;
    @JsonProperty("adapt-channels") public Boolean adaptChannels;
    @JsonProperty("key-map") public String keyMap;

    private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /** The keys (= flag names without dashes). */
    public static Set<String> keys() {
        Set<String> out = new LinkedHashSet<>();
        for (java.lang.reflect.Field f : FineTuneOptions.class.getFields()) {
            JsonProperty p = f.getAnnotation(JsonProperty.class);
            if (p != null) {
                out.add(p.value());
            }
        }
        return out;
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

    @SuppressWarnings("unchecked")
    public Map<String, Object> toMap() {
        return JSON.convertValue(this, LinkedHashMap.class);
    }

    /** This with every non-null value of {@code over} replacing its own. */
    public FineTuneOptions overlay(FineTuneOptions over) {
        Map<String, Object> m = toMap();
        m.putAll(over.toMap());
        return fromMap(m);
    }

    public Mode modeOrDefault() {
        return mode == null ? Mode.FULL : Mode.parse(mode);
    }
}
