package org.convkit.data.shard;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * The index of one shard file, read from its footer: where each record starts and its labels.
 *
 * @param file the shard
 * @param offsets record start offsets, plus one more entry: the index offset (end of the last record)
 * @param labels count x heads labels, row-major
 * @param heads K
 */
record ShardIndex(Path file, long[] offsets, int[] labels, int heads) {

    int count() {
        return offsets.length - 1;
    }

    /** Length of record {@code i}, header included. */
    int length(int i) {
        return (int) (offsets[i + 1] - offsets[i]);
    }

    int[] labelsOf(int i) {
        return Arrays.copyOfRange(labels, i * heads, (i + 1) * heads);
    }

    /**
     * Reads and checks the footer and index (magic numbers, CRC, offsets increasing and inside
     * the file).
     *
     * @throws IOException naming the file and what is wrong
     */
    static ShardIndex read(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            return read(file, ch);
        }
    }

    static ShardIndex read(Path file, FileChannel ch) throws IOException {
        long size = ch.size();
        if (size < ShardFormat.MAGIC.length + ShardFormat.FOOTER) {
            throw new IOException(file + ": too short to be a shard (" + size + " bytes)");
        }
        ByteBuffer magic = readFully(ch, 0, ShardFormat.MAGIC.length);
        if (!Arrays.equals(magic.array(), ShardFormat.MAGIC)) {
            throw new IOException(file + ": not a convkit shard (bad magic at offset 0)");
        }
        ByteBuffer f = readFully(ch, size - ShardFormat.FOOTER, ShardFormat.FOOTER);
        long indexOffset = f.getLong();
        int count = f.getInt();
        int heads = f.getInt();
        int crc = f.getInt();
        byte[] fm = new byte[8];
        f.get(fm);
        if (!Arrays.equals(fm, ShardFormat.FOOTER_MAGIC)) {
            throw new IOException(file + ": footer damaged or file truncated (bad magic at offset " + (size - 8) + ")");
        }
        long indexBytes = (long) count * ShardFormat.indexEntry(heads);
        if (count < 0 || heads < 0 || heads > 255 || indexOffset < ShardFormat.MAGIC.length
                || indexOffset + indexBytes != size - ShardFormat.FOOTER) {
            throw new IOException(file + ": footer inconsistent (index at " + indexOffset + ", " + count + " records, K=" + heads
                    + ", file " + size + " bytes)");
        }
        ByteBuffer idx = readFully(ch, indexOffset, (int) indexBytes);
        if (ShardFormat.crc(idx.array(), 0, (int) indexBytes) != crc) {
            throw new IOException(file + ": index damaged (CRC32C mismatch at offset " + indexOffset + ")");
        }
        long[] offsets = new long[count + 1];
        int[] labels = new int[count * heads];
        for (int i = 0; i < count; i++) {
            offsets[i] = idx.getLong();
            for (int k = 0; k < heads; k++) {
                labels[i * heads + k] = idx.getInt();
            }
        }
        offsets[count] = indexOffset;
        long prev = ShardFormat.MAGIC.length;
        for (int i = 0; i < count; i++) {
            if (offsets[i] != prev || offsets[i + 1] - offsets[i] < ShardFormat.RECORD_HEADER) {
                throw new IOException(file + ": index entry " + i + " points to offset " + offsets[i]
                        + ", expected " + prev + " (records are contiguous)");
            }
            prev = offsets[i + 1];
        }
        return new ShardIndex(file, offsets, labels, heads);
    }

    static ByteBuffer readFully(FileChannel ch, long pos, int len) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(len);
        while (b.hasRemaining()) {
            int r = ch.read(b, pos + b.position());
            if (r < 0) {
                throw new IOException("unexpected end of file at offset " + (pos + b.position()));
            }
        }
        b.flip();
        return b;
    }
}
