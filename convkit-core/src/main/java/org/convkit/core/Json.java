package org.convkit.core;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one JSON (and CSV) mapper of convkit: every file and every {@code --json} output is read
 * and written through it, so they all follow the same rules. Jackson's mappers are thread-safe
 * once configured; this one is configured here and never changed.
 *
 * <p>Reading is strict by default (an unknown key is an error: a misspelt config key must not be
 * ignored); {@link #lenient} is for files a later convkit version may have written with more
 * keys (checkpoints). Writing is compact; {@link #pretty()} indents (files people open).
 */
public final class Json {
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();
    private static final CsvMapper CSV = new CsvMapper();

    private Json() {}

    /** The mapper (strict reading, compact writing). */
    public static ObjectMapper mapper() {
        return MAPPER;
    }

    /** A writer that indents: for files people read. */
    public static ObjectWriter pretty() {
        return MAPPER.writerWithDefaultPrettyPrinter();
    }

    /** A reader of {@code type} that ignores keys it does not know (files newer versions may extend). */
    public static ObjectReader lenient(Class<?> type) {
        return MAPPER.readerFor(type).without(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    }

    /** The mapper for CSV files (schemas from {@code CsvSchema}). */
    public static CsvMapper csv() {
        return CSV;
    }

    /** {@code value} as indented JSON text (for stdout). */
    public static String prettyString(Object value) {
        try {
            return pretty().writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write " + value.getClass().getSimpleName() + " as JSON", e);
        }
    }

    /** Writes {@code value} as indented JSON to {@code file}, atomically (see {@link AtomicFiles}). */
    public static void writePretty(Path file, Object value) {
        try {
            byte[] bytes = pretty().writeValueAsBytes(value);
            AtomicFiles.write(file, o -> o.write(bytes));
        } catch (IOException e) {
            throw new ConvkitException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /** Compact JSON text of {@code value} (a line of a JSON-lines file, a value inside a page). */
    public static String compact(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The values of a record or bean by JSON key, in declaration order, as the mapper writes them
     * (so without the ones its {@code @JsonInclude} leaves out): a config as a map.
     */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> toMap(Object value) {
        return MAPPER.convertValue(value, LinkedHashMap.class);
    }

    /** {@code base}'s values ({@link #toMap}) with {@code over}'s replacing them: a config overlaid by another. */
    public static Map<String, Object> overlay(Object base, Object over) {
        Map<String, Object> m = toMap(base);
        m.putAll(toMap(over));
        return m;
    }

    /** The JSON keys ({@code @JsonProperty} names) of {@code type}'s instance fields, in declaration order. */
    public static List<String> keys(Class<?> type) {
        List<String> out = new ArrayList<>();
        for (Field f : type.getDeclaredFields()) {
            JsonProperty p = f.getAnnotation(JsonProperty.class);
            if (p != null && !Modifier.isStatic(f.getModifiers())) {
                out.add(p.value());
            }
        }
        return out;
    }
}
