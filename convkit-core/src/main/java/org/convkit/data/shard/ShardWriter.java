package org.convkit.data.shard;

import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Writes one shard file: records one after another, then the index and the footer. */
final class ShardWriter implements AutoCloseable {
    private final Path file;
    private final int heads;
    private final DataOutputStream out;
    private final List<Long> offsets = new ArrayList<>();
    private final List<int[]> labels = new ArrayList<>();
    private long position;

    ShardWriter(Path file, int heads) throws IOException {
        this.file = file;
        this.heads = heads;
        this.out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file), 1 << 20));
        out.write(ShardFormat.MAGIC);
        position = ShardFormat.MAGIC.length;
    }

    /** Appends one record. */
    void write(String id, int[] recordLabels, byte[] image) throws IOException {
        if (recordLabels.length != heads) {
            throw new IllegalArgumentException(id + ": " + recordLabels.length + " labels, shard has " + heads);
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
    long bytes() {
        return position;
    }

    int count() {
        return offsets.size();
    }

    Path file() {
        return file;
    }

    /** Closes the file without an index, after a failure (the folder is deleted anyway). */
    void abandon() {
        try {
            out.close();
        } catch (IOException ignored) {
            // the half-written shard is thrown away
        }
    }

    @Override
    public void close() throws IOException {
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
    }
}
