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
}
