package org.convkit.bench;

import java.util.List;
import org.convkit.data.Batch;
import org.convkit.train.Batches;

/**
 * Wraps a split and times what the consumer does with it, the same way the PyTorch peer
 * (bench/torch_bench.py) times its loop: the clock starts when batch {@code warmup} is asked for
 * (the first {@code warmup} batches are warm-up: allocator, oneDNN primitives, JIT) and stops when
 * the pass reports its end. Time spent inside hasNext/next after the start is the data wait.
 */
final class TimedBatches implements Batches {
    private final Batches inner;
    private final int warmup;
    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    private long start;
    private long end;
    private long cpuStart;
    private long cpuEnd;
    private long waitNanos;
    private long images;
    private Runnable deliveredHook = () -> {};

    TimedBatches(Batches inner, int warmup) {
        this.inner = inner;
        this.warmup = warmup;
    }

    /** Runs after every batch handed out (the Learner starts computing on it). */
    void onDelivered(Runnable r) {
        deliveredHook = r;
    }

    double seconds() {
        return (end - start) / 1e9;
    }

    long images() {
        return images;
    }

    /** CPU seconds of the whole process (compute, loader threads, JIT, GC) over the timed span. */
    double cpuSeconds() {
        return (cpuEnd - cpuStart) / 1e9;
    }

    /** Share of the timed span spent waiting for the loader. */
    double waitShare() {
        return end > start ? (double) waitNanos / (end - start) : 0;
    }

    @Override
    public int batchCount() {
        return inner.batchCount();
    }

    @Override
    public int sampleCount() {
        return inner.sampleCount();
    }

    @Override
    public List<String> classes() {
        return inner.classes();
    }

    @Override
    public int heads() {
        return inner.heads();
    }

    @Override
    public Pass open(int epoch, int first) {
        Pass pass = inner.open(epoch, first);
        return new Pass() {
            private int delivered;

            @Override
            public boolean hasNext() {
                long t0 = System.nanoTime();
                if (delivered == warmup && start == 0) {
                    start = t0;
                    cpuStart = OS.getProcessCpuTime();
                }
                boolean more = pass.hasNext();
                long t1 = System.nanoTime();
                if (start != 0) {
                    waitNanos += t1 - t0;
                    if (!more && end == 0) {
                        end = t1;
                        cpuEnd = OS.getProcessCpuTime();
                    }
                }
                return more;
            }

            @Override
            public Batch next() {
                long t0 = System.nanoTime();
                Batch b = pass.next();
                if (start != 0) {
                    waitNanos += System.nanoTime() - t0;
                    images += b.size();
                }
                delivered++;
                deliveredHook.run();
                return b;
            }

            @Override
            public void recycle(Batch b) {
                pass.recycle(b);
            }

            @Override
            public void close() {
                pass.close();
            }
        };
    }
}
