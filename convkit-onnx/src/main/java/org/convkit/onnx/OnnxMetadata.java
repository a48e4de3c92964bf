package org.convkit.onnx;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.convkit.core.ConvkitException;
import org.convkit.core.Json;
import org.convkit.eval.ModelCard;

/**
 * The model card in an ONNX file's {@code metadata_props}: what a consumer needs besides the graph
 * (class names, input size, normalization, the evaluation resize/crop, versions), one key per fact
 * under {@code convkit.}, lists as JSON. Any ONNX tool shows them (Netron, onnx.load(...).
 * metadata_props, ONNX Runtime's custom metadata); {@link #card} reads them back.
 */
public final class OnnxMetadata {
    public static final String PREFIX = "convkit.";
    public static final String NAME = PREFIX + "name";
    public static final String ARCHITECTURE = PREFIX + "architecture";
    public static final String CLASSES = PREFIX + "classes";
    public static final String HEADS = PREFIX + "heads";
    public static final String INPUT = PREFIX + "input";
    public static final String MEAN = PREFIX + "mean";
    public static final String STD = PREFIX + "std";
    public static final String EVAL_TRANSFORMS = PREFIX + "eval_transforms";
    public static final String PARAMETERS = PREFIX + "parameters";
    public static final String WEIGHTS_SHA256 = PREFIX + "weights_sha256";
    public static final String TRAINED_WITH = PREFIX + "trained_with";
    public static final String EXPORTED_WITH = PREFIX + "exported_with";
    public static final String INPUT_NAME = PREFIX + "input_name";
    public static final String OUTPUT_NAMES = PREFIX + "output_names";

    private OnnxMetadata() {}

    /**
     * The card as metadata entries, in a fixed order.
     *
     * @param exporter the convkit version writing the file
     */
    public static Map<String, String> of(ModelCard card, String input, List<String> outputs, String exporter) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(NAME, card.name());
        m.put(ARCHITECTURE, card.architecture());
        m.put(CLASSES, json(card.classes()));
        m.put(HEADS, String.valueOf(card.heads()));
        m.put(INPUT, card.input());
        m.put(MEAN, json(card.mean()));
        m.put(STD, json(card.std()));
        m.put(EVAL_TRANSFORMS, card.transforms());
        m.put(PARAMETERS, String.valueOf(card.parameters()));
        m.put(WEIGHTS_SHA256, card.weightsSha256());
        m.put(TRAINED_WITH, card.convkitVersion());
        m.put(EXPORTED_WITH, exporter);
        m.put(INPUT_NAME, input);
        m.put(OUTPUT_NAMES, json(outputs));
        return m;
    }

    /** Whether the metadata holds a convkit model card at all. */
    public static boolean present(Map<String, String> metadata) {
        return metadata.containsKey(CLASSES) && metadata.containsKey(INPUT);
    }

    /**
     * Reads the card back.
     *
     * @param file for messages
     * @throws ConvkitException naming the file and what is missing or malformed
     */
    public static ModelCard card(Map<String, String> metadata, String file) {
        if (!present(metadata)) {
            throw new ConvkitException(file + ": an ONNX model without convkit's model card (no " + CLASSES + " and "
                    + INPUT + " in its metadata), so its classes, input size and normalization are unknown;"
                    + " run files exported by `convkit export --format onnx`");
        }
        try {
            List<String> classes = Json.mapper().readValue(get(metadata, CLASSES, file), new TypeReference<List<String>>() {});
            String[] chw = get(metadata, INPUT, file).split("x");
            if (chw.length != 3) {
                throw new ConvkitException(file + ": " + INPUT + " is '" + metadata.get(INPUT) + "', expected CxHxW");
            }
            return new ModelCard(get(metadata, NAME, file), get(metadata, ARCHITECTURE, file), classes,
                    Integer.parseInt(get(metadata, HEADS, file)), Integer.parseInt(chw[0]), Integer.parseInt(chw[1]),
                    Integer.parseInt(chw[2]), Json.mapper().readValue(get(metadata, MEAN, file), float[].class),
                    Json.mapper().readValue(get(metadata, STD, file), float[].class), get(metadata, EVAL_TRANSFORMS, file),
                    Long.parseLong(get(metadata, PARAMETERS, file)), metadata.getOrDefault(WEIGHTS_SHA256, ""),
                    metadata.getOrDefault(TRAINED_WITH, "?"));
        } catch (JsonProcessingException | NumberFormatException e) {
            throw new ConvkitException(file + ": malformed convkit metadata (" + e.getMessage() + ")", e);
        } catch (IllegalArgumentException e) {
            throw new ConvkitException(file + ": inconsistent convkit metadata (" + e.getMessage() + ")", e);
        }
    }

    /** The output names the file's metadata lists, or empty. */
    public static List<String> outputNames(Map<String, String> metadata) {
        String v = metadata.get(OUTPUT_NAMES);
        if (v == null) {
            return List.of();
        }
        try {
            return new ArrayList<>(Json.mapper().readValue(v, new TypeReference<List<String>>() {}));
        } catch (JsonProcessingException e) {
            return List.of();
        }
    }

    private static String get(Map<String, String> m, String key, String file) {
        String v = m.get(key);
        if (v == null) {
            throw new ConvkitException(file + ": convkit metadata without " + key + "; export the model again");
        }
        return v;
    }

    private static String json(Object v) {
        try {
            return Json.mapper().writeValueAsString(v);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
