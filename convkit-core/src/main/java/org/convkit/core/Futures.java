package org.convkit.core;

import java.util.concurrent.ExecutionException;
import java.util.function.Function;

/** What a task that ran on another thread threw, for the thread that waited on it. */
public final class Futures {
    private Futures() {}

    /**
     * The exception to throw for {@code e}: the task's own unchecked exception as it was (so a
     * {@link ConvkitException} keeps its message for the user), an {@link Error} thrown right here,
     * and a checked one wrapped by {@code wrap}.
     */
    public static RuntimeException cause(ExecutionException e, Function<Throwable, RuntimeException> wrap) {
        Throwable cause = e.getCause();
        if (cause instanceof RuntimeException re) {
            return re;
        }
        if (cause instanceof Error err) {
            throw err;
        }
        return wrap.apply(cause);
    }
}
