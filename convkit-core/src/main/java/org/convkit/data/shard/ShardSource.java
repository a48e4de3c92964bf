package org.convkit.data.shard;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.convkit.core.ConvkitException;
import org.convkit.data.ImageSource;
import org.convkit.data.Sample;

/**
 * One split of a shard folder as an {@link ImageSource}: random access through each shard's
 * index, one positional read per record (thread-safe: FileChannel reads at a position do not
 * share a file pointer), CRC checked on every read. For training passes that read shards in
 * order, {@link ShardStream} is faster on disks that dislike seeking.
 */
public final class ShardSource implements ImageSource, AutoCloseable {
    private final Path dir;
    private final String split;
    private final Manifest manifest;
    private final List<ShardIndex> shards;
    private final FileChannel[] channels;
    /** first global index of each shard, plus the total */
    private final int[] starts;
    private volatile boolean closed;

    private ShardSource(Path dir, String split, Manifest manifest, List<ShardIndex> shards, FileChannel[] channels) {
        this.dir = dir;
        this.split = split;
        this.manifest = manifest;
        this.shards = shards;
        this.channels = channels;
        this.starts = new int[shards.size() + 1];
        for (int i = 0; i < shards.size(); i++) {
            starts[i + 1] = starts[i] + shards.get(i).count();
        }
    }

    /**
     * Opens a split of a packed folder.
     *
     * @throws ConvkitException when the manifest, a shard or its index is missing or damaged
     */
    public static ShardSource open(Path dir, String split) {
        Manifest m = Manifest.read(dir);
        Manifest.SplitInfo info = m.splits().get(split);
        if (info == null) {
            throw new ConvkitException(dir + " has no split '" + split + "' (it has " + String.join(", ", m.splits().keySet()) + ")");
        }
        List<ShardIndex> shards = new ArrayList<>();
        FileChannel[] channels = new FileChannel[info.shards().size()];
        try {
            for (int i = 0; i < channels.length; i++) {
                Manifest.ShardInfo s = info.shards().get(i);
                Path f = dir.resolve(s.file());
                channels[i] = FileChannel.open(f, StandardOpenOption.READ);
                ShardIndex idx = ShardIndex.read(f, channels[i]);
                if (idx.count() != s.count() || idx.heads() != m.heads()) {
                    throw new IOException(f + ": index holds " + idx.count() + " records with K=" + idx.heads()
                            + ", the manifest says " + s.count() + " with K=" + m.heads());
                }
                shards.add(idx);
            }
        } catch (IOException e) {
            closeAll(channels);
            throw new ConvkitException(e.getMessage() + ". Run `convkit data verify " + dir + "`, or pack again.", e);
        }
        return new ShardSource(dir, split, m, shards, channels);
    }

    @Override
    public int size() {
        return starts[shards.size()];
    }

    @Override
    public Sample get(int index) throws IOException {
        int s = shardOf(index);
        ShardIndex idx = shards.get(s);
        int local = index - starts[s];
        byte[] rec;
        try {
            rec = ShardIndex.readFully(channel(s), idx.offsets()[local], idx.length(local)).array();
        } catch (java.nio.channels.ClosedChannelException e) {
            // an interrupted reader thread closes a FileChannel for every thread; reopen it once
            if (Thread.currentThread().isInterrupted() || closed) {
                throw e;
            }
            reopen(s);
            rec = ShardIndex.readFully(channel(s), idx.offsets()[local], idx.length(local)).array();
        }
        try {
            return ShardFormat.parse(rec, idx.heads());
        } catch (IOException e) {
            throw new IOException(location(index) + ": " + e.getMessage(), e);
        }
    }

    @Override
    public int[] labels(int index) {
        int s = shardOf(index);
        return shards.get(s).labelsOf(index - starts[s]);
    }

    @Override
    public List<String> classes() {
        return manifest.classes();
    }

    @Override
    public String describe() {
        return "shards " + dir + " " + split + ", " + size() + " records in " + shards.size() + " file(s)";
    }

    @Override
    public String location(int index) {
        int s = shardOf(index);
        return shards.get(s).file().getFileName() + "@" + shards.get(s).offsets()[index - starts[s]];
    }

    public Manifest manifest() {
        return manifest;
    }

    public String split() {
        return split;
    }

    /** The shards in order, for {@link ShardStream}. */
    List<ShardIndex> shards() {
        return shards;
    }

    /** First global index of shard {@code s}. */
    int start(int s) {
        return starts[s];
    }

    @Override
    public synchronized void close() {
        closed = true;
        closeAll(channels);
    }

    private synchronized FileChannel channel(int s) {
        return channels[s];
    }

    private synchronized void reopen(int s) throws IOException {
        if (!channels[s].isOpen()) {
            channels[s] = FileChannel.open(shards.get(s).file(), StandardOpenOption.READ);
        }
    }

    private int shardOf(int index) {
        if (index < 0 || index >= size()) {
            throw new IndexOutOfBoundsException(index + " not in 0.." + (size() - 1));
        }
        int s = Arrays.binarySearch(starts, index);
        // an exact hit is the first record of shard s (skip empty shards); otherwise the insertion point - 1
        if (s >= 0) {
            while (s + 1 < starts.length && starts[s + 1] == index) {
                s++;
            }
            return s;
        }
        return -s - 2;
    }

    private static void closeAll(FileChannel[] chs) {
        for (FileChannel c : chs) {
            if (c != null) {
                try {
                    c.close();
                } catch (IOException ignored) {
                    // closing a read-only channel cannot lose data
                }
            }
        }
    }
}
