package org.convkit.model.weights;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.convkit.core.ConvkitException;
import org.convkit.model.weights.TorchUnpickler.StorageRef;
import org.convkit.model.weights.TorchUnpickler.TensorRef;

/**
 * Reads what {@code torch.save} wrote before PyTorch 1.6 (and still writes with {@code
 * _use_new_zipfile_serialization=False}): much of what was published from 2017 to 2020. No zip,
 * one stream:
 *
 * <ol>
 *   <li>three small pickles: a magic number, the format's protocol version (1001) and the saving
 *       machine's {@code sys_info} (byte order, C type sizes);
 *   <li>the pickled object, tensors as references to storages by key (as in the zip format);
 *   <li>a pickled list of the storage keys;
 *   <li>each storage in that list's order: its element count as a little-endian int64, then its
 *       raw bytes.
 * </ol>
 *
 * Every pickle goes through {@link TorchUnpickler}, so this format has the same guarantee as the
 * zip: tensors and plain containers only, anything else refused before it is built.
 */
final class TorchLegacy {
    /** torch/serialization.py's MAGIC_NUMBER, the first pickle of the stream. */
    private static final BigInteger MAGIC = new BigInteger("119547037146038801333356");
    private static final int PROTOCOL_VERSION = 1001;
    /** The first bytes of every legacy file: the pickled magic number (protocol 2, LONG1 of 10 bytes). */
    private static final byte[] HEAD = {(byte) 0x80, 0x02, (byte) 0x8a, 0x0a, 0x6c, (byte) 0xfc, (byte) 0x9c, 0x46};

    private TorchLegacy() {}

    /** True if {@code head} (a file's first bytes) starts like a legacy torch.save file. */
    static boolean looksLike(byte[] head) {
        return head.length >= HEAD.length && Arrays.equals(head, 0, HEAD.length, HEAD, 0, HEAD.length);
    }

    /** The tensors of the state dict in {@code file}, by key, created in {@code manager}. */
    static Map<String, NDArray> read(Path file, NDManager manager) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            Parsed p = parse(file, map(file, ch));
            return TorchPickle.materialize(file, p.refs(), (tensor, s) -> p.storage(file, tensor, s), manager);
        } catch (IOException e) {
            throw new ConvkitException(file + ": cannot read (" + e.getMessage() + ")", e);
        }
    }

    /** The shape of every tensor of the state dict, from the pickles alone. */
    static Map<String, Shape> shapes(Path file) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            return TorchPickle.shapes(parse(file, map(file, ch)).refs());
        } catch (IOException e) {
            throw new ConvkitException(file + ": cannot read (" + e.getMessage() + ")", e);
        }
    }

    private static ByteBuffer map(Path file, FileChannel ch) throws IOException {
        if (ch.size() > Integer.MAX_VALUE) {
            throw new ConvkitException(file + ": a legacy torch.save file over 2 GB is not supported; in PyTorch"
                    + " >= 1.6, torch.save(torch.load(old), new) writes the zip format, which has no such limit");
        }
        return ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size()).order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * The state dict's tensors and where each storage's bytes lie.
     *
     * @param refs the state dict, tensors as references
     * @param data the whole file
     * @param starts each storage's first data byte, by key
     * @param counts each storage's element count as the file records it, by key
     */
    private record Parsed(Map<String, TensorRef> refs, ByteBuffer data, Map<String, Long> starts,
            Map<String, Long> counts) {
        byte[] storage(Path file, String tensor, StorageRef s) {
            Long start = starts.get(s.key());
            if (start == null) {
                throw new ConvkitException(file + ": tensor " + tensor + " refers to storage " + s.key()
                        + ", which the file's storage list lacks (corrupt)");
            }
            byte[] bytes = new byte[Math.toIntExact(counts.get(s.key()) * s.dtype().getNumOfBytes())];
            data.get(Math.toIntExact(start), bytes);
            return bytes;
        }
    }

    private static Parsed parse(Path file, ByteBuffer data) {
        InputStream in = new BufferStream(data);
        Object magic = TorchPickle.unpickle(file, "header", new TorchUnpickler(), in);
        if (!MAGIC.equals(magic instanceof Number n ? new BigInteger(n.toString()) : null)) {
            throw new ConvkitException(file + ": not a torch.save file (its first pickle is not PyTorch's magic number)");
        }
        Object version = TorchPickle.unpickle(file, "header", new TorchUnpickler(), in);
        if (!(version instanceof Number v) || v.intValue() != PROTOCOL_VERSION) {
            throw new ConvkitException(file + ": legacy torch.save protocol " + version + ", convkit reads "
                    + PROTOCOL_VERSION + " (PyTorch 0.4 to 1.5)");
        }
        Object sysInfo = TorchPickle.unpickle(file, "header", new TorchUnpickler(), in);
        if (sysInfo instanceof Map<?, ?> info && Boolean.FALSE.equals(info.get("little_endian"))) {
            throw new ConvkitException(file + ": saved on a big-endian machine; convkit reads little-endian files only");
        }
        TorchUnpickler main = new TorchUnpickler();
        Object root = TorchPickle.unpickle(file, "pickle", main, in);
        Object keys = TorchPickle.unpickle(file, "storage list", new TorchUnpickler(), in);
        if (!(keys instanceof List<?> list) || !list.stream().allMatch(k -> k instanceof String)) {
            throw new ConvkitException(file + ": corrupt storage list (" + keys + ")");
        }
        // walk the storage section once: each storage's place, and a truncation found here
        Map<String, StorageRef> known = main.storages();
        Map<String, Long> starts = new HashMap<>();
        Map<String, Long> counts = new HashMap<>();
        long pos = data.position();
        for (Object k : list) {
            StorageRef s = known.get((String) k);
            if (s == null) {
                throw new ConvkitException(file + ": the storage list names " + k + ", which no tensor uses (corrupt)");
            }
            if (pos + 8 > data.limit()) {
                throw new ConvkitException(file + ": truncated (storage " + k + " is missing)");
            }
            long count = data.getLong(Math.toIntExact(pos));
            long bytes = count * s.dtype().getNumOfBytes();
            if (count < 0 || bytes > data.limit() - pos - 8) {
                throw new ConvkitException(file + ": storage " + k + " claims " + count + " elements, more than the"
                        + " file holds (truncated or corrupt)");
            }
            starts.put((String) k, pos + 8);
            counts.put((String) k, count);
            pos += 8 + bytes;
        }
        return new Parsed(TorchPickle.stateDict(file, root), data, starts, counts);
    }

    /**
     * A ByteBuffer as the stream the pickle machine reads, one pickle after another; mark/reset
     * and available() are what {@link TorchUnpickler} checks string lengths with.
     */
    private static final class BufferStream extends InputStream {
        private final ByteBuffer buf;
        private int mark;

        BufferStream(ByteBuffer buf) {
            this.buf = buf;
        }

        @Override
        public int read() {
            return buf.hasRemaining() ? buf.get() & 0xff : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (len == 0) {
                return 0;
            }
            if (!buf.hasRemaining()) {
                return -1;
            }
            int n = Math.min(len, buf.remaining());
            buf.get(b, off, n);
            return n;
        }

        @Override
        public int available() {
            return buf.remaining();
        }

        @Override
        public boolean markSupported() {
            return true;
        }

        @Override
        public synchronized void mark(int limit) {
            mark = buf.position();
        }

        @Override
        public synchronized void reset() {
            buf.position(mark);
        }
    }
}
