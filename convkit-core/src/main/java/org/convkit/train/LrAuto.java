package org.convkit.train;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import java.io.IOException;
import java.util.Locale;
import org.convkit.core.ConvkitException;

/**
 * The value of {@code --lr} / {@code "lr"}: a number, or {@code auto} (the learning-rate range test
 * picks it before training). Inside the config {@code auto} is {@link TrainConfig#LR_AUTO} (NaN),
 * so the key stays one number-valued field; JSON and the command line spell it "auto".
 */
public final class LrAuto {
    private LrAuto() {}

    /** Parses "auto" or a positive number. */
    public static double parse(String s, String option) {
        String v = s.trim().toLowerCase(Locale.ROOT);
        if (v.equals("auto")) {
            return TrainConfig.LR_AUTO;
        }
        try {
            double d = Double.parseDouble(v);
            if (d > 0 && Double.isFinite(d)) {
                return d;
            }
        } catch (NumberFormatException e) {
            // the message below says what is expected
        }
        throw new ConvkitException(option + " " + s + ": expected a positive number (e.g. 0.01) or auto"
                + " (the learning-rate range test picks it)");
    }

    /** Writes NaN as "auto". */
    static final class Writer extends StdSerializer<Double> {
        Writer() {
            super(Double.class);
        }

        @Override
        public void serialize(Double v, JsonGenerator g, SerializerProvider p) throws IOException {
            if (v.isNaN()) {
                g.writeString("auto");
            } else {
                g.writeNumber(v);
            }
        }
    }

    /** Reads a number, a numeric string or "auto". */
    static final class Reader extends StdDeserializer<Double> {
        Reader() {
            super(Double.class);
        }

        @Override
        public Double deserialize(JsonParser p, DeserializationContext ctx) throws IOException {
            if (p.currentToken() == JsonToken.VALUE_STRING) {
                try {
                    return parse(p.getText(), "lr");
                } catch (ConvkitException e) {
                    return (Double) ctx.handleWeirdStringValue(Double.class, p.getText(), e.getMessage());
                }
            }
            return p.getDoubleValue();
        }
    }
}
