package org.convkit.data.shard;

import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes one shard file ({@link ShardFormat}): records one after another, then the index and the
 * footer. {@code data pack} ({@link Packer}) starts a new one when a shard reaches its size; the
 * Spark job writes one per partition. Not thread-safe: one writer, one thread.
 */
public final class ShardWriter implements AutoCloseable {
    /**
     * What a finished shard holds.
     *
     * @param info its manifest entry: file name, records, bytes
     * @param classCounts records per class of the first head
     */
    public record Written(Manifest.ShardInfo info, int[] classCounts) implements java.io.Serializable {}

    private final Path file;
    private final int heads;
    private final int[] classCounts;
    private final DataOutputStream out;
    private final List<Long> offsets = new ArrayList<>();
    private final List<int[]> labels = new ArrayList<>();
    private long position;
    private Written written;

    /**
     * @param file the shard file to create ({@code SPLIT-NNNNN.shard}, see {@link #name})
     * @param heads K, labels per record
     * @param classes the class count (for the per-class record counts)
     */
    public ShardWriter(Path file, int heads, int classes) throws IOException {
        this.file = file;
        this.heads = heads;
        this.classCounts = new int[classes];
        this.out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file), 1 << 20));
        out.write(ShardFormat.MAGIC);
        position = ShardFormat.MAGIC.length;
    }

    /** The file name of a split's shard number {@code n}: "train-00003.shard". */
    public static String name(String split, int n) {
        return String.format(java.util.Locale.ROOT, "%s-%05d%s", split, n, ShardFormat.EXTENSION);
    }

    /** Appends one record. */
    public void write(String id, int[] recordLabels, byte[] image) throws IOException {
        if (recordLabels.length != heads) {
            throw new IllegalArgumentException(id + ": " + recordLabels.length + " labels, shard has " + heads);
        }
        if (recordLabels.length > 0 && recordLabels[0] >= 0 && recordLabels[0] < classCounts.length) {
            classCounts[recordLabels[0]]++;
        }
        byte[] payload = ShardFormat.payload(id, recordLabels, image);
        offsets.add(position);
        labels.add(recordLabels.clone());
        out.writeInt(payload.length);
        out.writeInt(ShardFormat.crc(payload, 0, payload.length));
        out.write(payload);
        position += ShardFormat.RECORD_HEADER + payload.length;
    }

    /** Bytes written so far (the shard rolls over when this passes the shard size). */
    public long bytes() {
        return position;
    }

    /** Records written so far. */
    public int count() {
        return offsets.size();
    }

    public Path file() {
        return file;
    }

    /** Closes the file without an index, after a failure (the folder is deleted anyway). */
    public void abandon() {
        try {
            out.close();
        } catch (IOException ignored) {
            // the half-written shard is thrown away
        }
    }

    /** Writes the index and the footer, closes the file and says what it holds (once; then the same answer). */
    public Written finish() throws IOException {
        if (written == null) {
            close();
        }
        return written;
    }

    /** Writes the index and the footer and closes the file; see {@link #finish}. */
    @Override
    public void close() throws IOException {
        if (written != null) {
            return;
        }
        java.io.ByteArrayOutputStream idx = new java.io.ByteArrayOutputStream(offsets.size() * ShardFormat.indexEntry(heads));
        DataOutputStream d = new DataOutputStream(idx);
        for (int i = 0; i < offsets.size(); i++) {
            d.writeLong(offsets.get(i));
            for (int l : labels.get(i)) {
                d.writeInt(l);
            }
        }
        byte[] index = idx.toByteArray();
        long indexOffset = position;
        out.write(index);
        out.writeLong(indexOffset);
        out.writeInt(offsets.size());
        out.writeInt(heads);
        out.writeInt(ShardFormat.crc(index, 0, index.length));
        out.write(ShardFormat.FOOTER_MAGIC);
        position += index.length + ShardFormat.FOOTER;
        out.close();
        written = new Written(new Manifest.ShardInfo(file.getFileName().toString(), offsets.size(), position), classCounts.clone());
    }
}
