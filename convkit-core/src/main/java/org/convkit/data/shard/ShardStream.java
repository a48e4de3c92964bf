package org.convkit.data.shard;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Random;
import java.util.function.Consumer;
import org.convkit.core.Seeds;
import org.convkit.data.Sample;
import org.convkit.data.Skipped;

/**
 * Reads a split's shards front to back (large sequential reads, no seeks).
 *
 * <ul>
 *   <li>{@link #training}: shard order shuffled and records passed through a shuffle buffer, both
 *       seeded by (seed, epoch): the same seed and epoch give the same order.
 *   <li>{@link #evaluation}: shards and records in order; every record exactly once.
 * </ul>
 *
 * Damaged records are reported to the skip consumer and left out; the pass goes on. Single
 * consumer: not thread-safe (hand the samples to loader threads for decoding).
 */
public final class ShardStream implements Iterator<ShardStream.Item>, AutoCloseable {
    /** A sample and its index in the split (the index {@link ShardSource#get} takes). */
    public record Item(int index, Sample sample) {}

    private final ShardSource source;
    private final List<Integer> shardOrder;
    private final Random random;
    private final Item[] buffer;
    private final Consumer<Skipped> skips;
    private int buffered;
    private int shardPos = -1;
    private int record;
    private InputStream in;
    private long position;
    private Item next;
    private int delivered;

    private ShardStream(ShardSource source, List<Integer> order, Random random, int bufferSize, Consumer<Skipped> skips) {
        this.source = source;
        this.shardOrder = order;
        this.random = random;
        this.buffer = new Item[Math.max(1, bufferSize)];
        this.skips = skips;
    }

    /**
     * A training pass.
     *
     * @param bufferSize records held for shuffling (memory: bufferSize x the mean record size);
     *     1 = shard order shuffled only
     * @param skips gets every damaged record
     */
    public static ShardStream training(ShardSource source, long seed, int epoch, int bufferSize, Consumer<Skipped> skips) {
        // consecutive epochs are unrelated orders
        Random r = new Random(Seeds.mix(seed, epoch, -1));
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < source.shards().size(); i++) {
            order.add(i);
        }
        Collections.shuffle(order, r);
        return new ShardStream(source, order, r, bufferSize, skips);
    }

    /** An evaluation pass: every record once, in order. */
    public static ShardStream evaluation(ShardSource source, Consumer<Skipped> skips) {
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < source.shards().size(); i++) {
            order.add(i);
        }
        return new ShardStream(source, order, null, 1, skips);
    }

    @Override
    public boolean hasNext() {
        if (next == null) {
            next = advance();
        }
        return next != null;
    }

    @Override
    public Item next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        Item n = next;
        next = null;
        delivered++;
        return n;
    }

    /** Records delivered so far. */
    public int delivered() {
        return delivered;
    }

    private Item advance() {
        if (random == null) {
            return read();
        }
        // fill the buffer, then each new record replaces a random one that goes out
        while (buffered < buffer.length) {
            Item it = read();
            if (it == null) {
                break;
            }
            buffer[buffered++] = it;
        }
        if (buffered == 0) {
            return null;
        }
        int pick = random.nextInt(buffered);
        Item out = buffer[pick];
        Item in = read();
        if (in != null) {
            buffer[pick] = in;
        } else {
            buffer[pick] = buffer[--buffered];
            buffer[buffered] = null;
        }
        return out;
    }

    /** The next good record in file order, or null at the end. */
    private Item read() {
        while (true) {
            if (in == null || record >= source.shards().get(shardOrder.get(shardPos)).count()) {
                if (!openNextShard()) {
                    return null;
                }
                continue;
            }
            int s = shardOrder.get(shardPos);
            ShardIndex idx = source.shards().get(s);
            int i = record++;
            int global = source.start(s) + i;
            byte[] rec = new byte[idx.length(i)];
            try {
                skipTo(idx.offsets()[i]);
                int n = in.readNBytes(rec, 0, rec.length);
                position += n;
                if (n < rec.length) {
                    throw new IOException("file ends inside the record");
                }
            } catch (IOException e) {
                // the read position is lost: the rest of this shard is skipped, the pass goes on
                for (int j = i; j < idx.count(); j++) {
                    skip(idx, s, j, "read failed: " + e.getMessage());
                }
                record = idx.count();
                continue;
            }
            try {
                return new Item(global, ShardFormat.parse(rec, idx.heads()));
            } catch (IOException e) {
                skip(idx, s, i, e.getMessage());
            }
        }
    }

    private void skip(ShardIndex idx, int shard, int i, String reason) {
        int g = source.start(shard) + i;
        skips.accept(new Skipped(source.split(), source.split() + "-" + g, idx.file().getFileName() + "@" + idx.offsets()[i], reason));
    }

    private boolean openNextShard() {
        closeStream();
        while (++shardPos < shardOrder.size()) {
            ShardIndex idx = source.shards().get(shardOrder.get(shardPos));
            try {
                in = new BufferedInputStream(Files.newInputStream(idx.file()), 1 << 20);
                position = 0;
                record = 0;
                return true;
            } catch (IOException e) {
                for (int i = 0; i < idx.count(); i++) {
                    skip(idx, shardOrder.get(shardPos), i, "cannot open: " + e.getMessage());
                }
            }
        }
        return false;
    }

    private void skipTo(long offset) throws IOException {
        if (offset < position) {
            throw new IOException("index out of order at " + offset);
        }
        in.skipNBytes(offset - position);
        position = offset;
    }

    private void closeStream() {
        if (in != null) {
            try {
                in.close();
            } catch (IOException ignored) {
                // read-only
            }
            in = null;
        }
    }

    @Override
    public void close() {
        closeStream();
    }
}
