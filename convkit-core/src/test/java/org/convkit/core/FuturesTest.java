package org.convkit.core;

import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class FuturesTest {
    /** What waiting on {@code task} run on another thread throws. */
    private static ExecutionException failed(java.util.concurrent.Callable<Object> task) throws InterruptedException {
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<Object> f = pool.submit(task);
            return assertThrows(ExecutionException.class, f::get);
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void theTasksOwnUncheckedExceptionIsThrownAsItWas() throws Exception {
        ConvkitException own = new ConvkitException("bad image");
        assertSame(own, Futures.cause(failed(() -> {
            throw own;
        }), c -> new IllegalStateException(c)));
    }

    @Test
    void anErrorIsThrownAndACheckedExceptionWrapped() throws Exception {
        OutOfMemoryError oom = new OutOfMemoryError("test");
        ExecutionException error = failed(() -> {
            throw oom;
        });
        assertSame(oom, assertThrows(OutOfMemoryError.class, () -> Futures.cause(error, IllegalStateException::new)));
        IOException io = new IOException("disk");
        RuntimeException wrapped = Futures.cause(failed(() -> {
            throw io;
        }), c -> new ConvkitException("loading failed", c));
        assertSame(io, wrapped.getCause());
    }
}
