package org.convkit.eval;

import com.fasterxml.jackson.databind.SequenceWriter;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import java.io.IOException;
import java.io.Writer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.function.UnaryOperator;
import org.convkit.core.ConvkitException;
import org.convkit.core.Json;

/**
 * {@code predict --submission}: the file a competition takes, exactly (header, id form, value,
 * row order as its sample submission).
 *
 * <ul>
 *   <li>{@code kaggle-dogs-vs-cats} (Dogs vs. Cats Redux): {@code id,label}, the id the number of
 *       the test image ({@code test/1.jpg} -> 1), the label the probability that it is a dog (scored
 *       by log loss, so a probability, not a class); rows in numeric id order.
 *   <li>{@code tianchi-svhn} (Tianchi street-number recognition): {@code file_name,file_code}, the
 *       file name with its extension ({@code 000000.png}), the code the predicted digits without
 *       blanks ({@code 19}); rows in file-name order.
 *   <li>{@code id-label}: {@code id,label}, the id the file name without extension, the label the
 *       predicted class name (or digit string); rows in numeric order when every id is a number,
 *       else in file order.
 * </ul>
 * Rows are kept until the end to be sorted: a submission is one row per test image (tens of
 * thousands), small next to the images.
 */
public enum Submission {
    KAGGLE_DOGS_VS_CATS("kaggle-dogs-vs-cats", "id", "label"),
    TIANCHI_SVHN("tianchi-svhn", "file_name", "file_code"),
    ID_LABEL("id-label", "id", "label");

    private final String flag;
    private final String idColumn;
    private final String valueColumn;

    Submission(String flag, String idColumn, String valueColumn) {
        this.flag = flag;
        this.idColumn = idColumn;
        this.valueColumn = valueColumn;
    }

    /** The name {@code --submission} takes. */
    public String flag() {
        return flag;
    }

    /** @throws ConvkitException naming the choices */
    public static Submission parse(String s) {
        for (Submission v : values()) {
            if (v.flag.equalsIgnoreCase(s == null ? "" : s.trim())) {
                return v;
            }
        }
        throw new ConvkitException("--submission " + s + ": expected one of "
                + String.join(", ", Arrays.stream(values()).map(Submission::flag).toList()));
    }

    /**
     * A writer of this submission for a model's outputs.
     *
     * @param fileName the file name (with extension) of an image id, for submissions that name files
     * @throws ConvkitException when the model cannot answer this submission (no "dog" class, not digits)
     */
    public RowWriter writer(Writer out, List<String> classes, int heads, int blank, UnaryOperator<String> fileName) {
        int dog = -1;
        if (this == KAGGLE_DOGS_VS_CATS) {
            for (int i = 0; i < classes.size(); i++) {
                if (classes.get(i).toLowerCase(Locale.ROOT).matches("dogs?")) {
                    dog = i;
                }
            }
            if (heads != 1 || dog < 0) {
                throw new ConvkitException("--submission " + flag + ": the model's classes are " + classes
                        + "; it needs a class named dog (the file holds the probability of dog)");
            }
        }
        if (this == TIANCHI_SVHN && !classes.stream().allMatch(c -> c.matches("\\d") || c.equals("blank"))) {
            throw new ConvkitException("--submission " + flag + ": the model's classes are " + classes
                    + "; it needs digit classes (a street-number model, trained on the Tianchi JSON labels)");
        }
        return new Rows(out, classes, blank, dog, fileName);
    }

    /** Rows collected batch by batch, sorted and written at {@link #close()}. */
    private final class Rows implements RowWriter {
        private final Writer out;
        private final List<String> classes;
        private final int blank;
        private final int dog;
        private final UnaryOperator<String> fileName;
        private final List<String[]> rows = new ArrayList<>();

        Rows(Writer out, List<String> classes, int blank, int dog, UnaryOperator<String> fileName) {
            this.out = out;
            this.classes = List.copyOf(classes);
            this.blank = blank;
            this.dog = dog;
            this.fileName = fileName;
        }

        @Override
        public void add(float[][] logits, String[] ids) {
            int c = classes.size();
            for (int i = 0; i < ids.length; i++) {
                Answer a = Answer.of(logits, i, c);
                String value = switch (Submission.this) {
                    case KAGGLE_DOGS_VS_CATS -> String.valueOf(a.probabilities()[0][dog]);
                    default -> a.label(classes, blank);
                };
                String id = Submission.this == TIANCHI_SVHN ? fileName.apply(ids[i]) : ids[i];
                rows.add(new String[] {id, value});
            }
        }

        @Override
        public long rows() {
            return rows.size();
        }

        @Override
        public void close() throws IOException {
            boolean numeric = rows.stream().allMatch(r -> r[0].matches("\\d{1,18}"));
            rows.sort(numeric ? Comparator.comparingLong((String[] r) -> Long.parseLong(r[0])) : Comparator.comparing(r -> r[0]));
            CsvSchema schema = CsvSchema.builder().setUseHeader(true).addColumn(idColumn).addColumn(valueColumn).build();
            // the caller owns the stream; the feature is off for this writer only (the mapper is shared)
            try (SequenceWriter w = Json.csv().writer(schema)
                    .without(com.fasterxml.jackson.core.JsonGenerator.Feature.AUTO_CLOSE_TARGET).writeValues(out)) {
                for (String[] r : rows) {
                    w.write(List.of(r[0], r[1]));
                }
            }
        }
    }
}
