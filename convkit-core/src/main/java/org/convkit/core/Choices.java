package org.convkit.core;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** A flag whose value names one of an enum's constants ({@code --augment light}, {@code --format probs}). */
public final class Choices {
    private Choices() {}

    /**
     * The constant of {@code type} that {@code value} names, case and surrounding blanks ignored;
     * otherwise a {@link ConvkitException} that lists the choices in lower case, e.g.
     * {@code --augment heavy: expected none, light or standard}.
     */
    public static <E extends Enum<E>> E parse(Class<E> type, String flag, String value) {
        try {
            return Enum.valueOf(type, value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new ConvkitException(flag + " " + value + ": expected " + listed(type));
        }
    }

    private static String listed(Class<? extends Enum<?>> type) {
        List<String> names = Arrays.stream(type.getEnumConstants()).map(c -> c.name().toLowerCase(Locale.ROOT)).toList();
        int last = names.size() - 1;
        return last == 0 ? names.get(0) : String.join(", ", names.subList(0, last)) + " or " + names.get(last);
    }
}
