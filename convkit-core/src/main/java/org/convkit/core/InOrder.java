package org.convkit.core;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntFunction;

/**
 * {@code work(0), work(1), ...} computed on several threads, a chunk of indices per task, and
 * handed back in index order: the result never depends on the thread count. At most 2 x threads
 * chunks are in memory at once.
 */
public final class InOrder<T> implements Iterable<T> {
    private static final int CHUNK = 256;
    private final int count;
    private final int threads;
    private final IntFunction<T> work;

    public InOrder(int count, int threads, IntFunction<T> work) {
        this.count = count;
        this.threads = Math.max(1, threads);
        this.work = work;
    }

    @Override
    public Iterator<T> iterator() {
        return new Iterator<>() {
            final ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
                Thread t = new Thread(r, "convkit-work");
                t.setDaemon(true);
                return t;
            });
            final ArrayDeque<Future<List<T>>> ahead = new ArrayDeque<>();
            int next;
            Iterator<T> current = Collections.emptyIterator();

            @Override
            public boolean hasNext() {
                while (!current.hasNext()) {
                    while (next < count && ahead.size() < 2 * threads) {
                        int start = next;
                        int end = Math.min(count, start + CHUNK);
                        next = end;
                        ahead.add(pool.submit(() -> {
                            List<T> out = new ArrayList<>(end - start);
                            for (int i = start; i < end; i++) {
                                out.add(work.apply(i));
                            }
                            return out;
                        }));
                    }
                    if (ahead.isEmpty()) {
                        pool.shutdown();
                        return false;
                    }
                    try {
                        current = ahead.poll().get().iterator();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        pool.shutdownNow();
                        throw new ConvkitException("interrupted", e);
                    } catch (ExecutionException e) {
                        pool.shutdownNow();
                        throw new IllegalStateException(e.getCause());
                    }
                }
                return true;
            }

            @Override
            public T next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return current.next();
            }
        };
    }
}
