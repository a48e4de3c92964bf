package org.convkit.data.shard;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.CRC32C;
import org.convkit.data.Sample;

/**
 * The bytes of a shard file. Big-endian throughout.
 *
 * <pre>
 * file   = "CKSHARD1" record* index footer
 * record = u32 payload length, u32 CRC32C of payload, payload
 * payload= u16 id length, id (UTF-8), u8 K, K x i32 labels, encoded image bytes (the rest)
 * index  = per record: u64 offset of the record, K x i32 labels (so labels and splits need no
 *          record reads)
 * footer = u64 index offset, u32 record count, u32 K, u32 CRC32C of the index, "CKINDEX1"
 * </pre>
 *
 * The image bytes are the file's bytes as they came (JPEG stays JPEG); raw-pixel datasets are
 * stored as lossless PNG.
 */
final class ShardFormat {
    static final byte[] MAGIC = "CKSHARD1".getBytes(StandardCharsets.US_ASCII);
    static final byte[] FOOTER_MAGIC = "CKINDEX1".getBytes(StandardCharsets.US_ASCII);
    static final int RECORD_HEADER = 8;
    static final int FOOTER = 8 + 4 + 4 + 4 + 8;
    static final String EXTENSION = ".shard";

    private ShardFormat() {}

    static int indexEntry(int heads) {
        return 8 + 4 * heads;
    }

    /** The payload of one record. */
    static byte[] payload(String id, int[] labels, byte[] image) {
        byte[] idBytes = id.getBytes(StandardCharsets.UTF_8);
        if (idBytes.length > 0xffff || labels.length > 0xff) {
            throw new IllegalArgumentException("id or label list too long: " + id);
        }
        ByteBuffer b = ByteBuffer.allocate(2 + idBytes.length + 1 + 4 * labels.length + image.length);
        b.putShort((short) idBytes.length).put(idBytes).put((byte) labels.length);
        for (int l : labels) {
            b.putInt(l);
        }
        b.put(image);
        return b.array();
    }

    static int crc(byte[] data, int off, int len) {
        CRC32C c = new CRC32C();
        c.update(data, off, len);
        return (int) c.getValue();
    }

    /**
     * Checks and parses a whole record (header + payload).
     *
     * @throws IOException naming what is wrong; the caller adds the shard and offset
     */
    static Sample parse(byte[] rec, int heads) throws IOException {
        if (rec.length < RECORD_HEADER + 3) {
            throw new IOException("record too short (" + rec.length + " bytes)");
        }
        ByteBuffer b = ByteBuffer.wrap(rec);
        int len = b.getInt();
        int crc = b.getInt();
        if (len != rec.length - RECORD_HEADER) {
            throw new IOException("length field " + len + " disagrees with the index (" + (rec.length - RECORD_HEADER) + ")");
        }
        if (crc(rec, RECORD_HEADER, len) != crc) {
            throw new IOException("CRC32C mismatch: the record is damaged");
        }
        int idLen = b.getShort() & 0xffff;
        if (b.remaining() < idLen + 1) {
            throw new IOException("id length " + idLen + " runs past the record");
        }
        byte[] id = new byte[idLen];
        b.get(id);
        int k = b.get() & 0xff;
        if (k != heads || b.remaining() < 4 * k) {
            throw new IOException("record has " + k + " labels, the shard " + heads);
        }
        int[] labels = new int[k];
        for (int i = 0; i < k; i++) {
            labels[i] = b.getInt();
        }
        if (!b.hasRemaining()) {
            throw new IOException("record holds no image bytes");
        }
        byte[] image = Arrays.copyOfRange(rec, b.position(), rec.length);
        return new Sample(new String(id, StandardCharsets.UTF_8), image, null, labels);
    }
}
