package org.convkit.cli;

import org.convkit.core.ConvkitException;

/**
 * A command line that cannot be run as given (an option missing or given with one it excludes),
 * found after picocli parsed it: exit code 2 like picocli's own usage errors, not 1.
 */
public final class UsageError extends ConvkitException {
    private static final long serialVersionUID = 1L;

    public UsageError(String message) {
        super(message);
    }

    /**
     * {@code parse}'s answer; its refusal of an option's value (a {@link ConvkitException}) as a
     * usage error, for values picocli cannot check itself (e.g. {@code --submission NAME}).
     */
    public static <T> T unlessRefused(java.util.function.Supplier<T> parse) {
        try {
            return parse.get();
        } catch (UsageError e) {
            throw e;
        } catch (ConvkitException e) {
            throw new UsageError(e.getMessage());
        }
    }
}
