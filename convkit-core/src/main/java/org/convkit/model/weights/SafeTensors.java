package org.convkit.model.weights;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.convkit.core.ConvkitException;
import org.convkit.core.Json;

/**
 * The safetensors format (Hugging Face): 8-byte little-endian header length, a JSON header naming
 * each tensor's dtype, shape and byte range, then the raw bytes.
 *
 * <p>Writing uses DJL's encoder ({@link NDList#encode}). Reading does not use DJL's decoder
 * ({@code NDList.decode}): it trusts the header (a flipped bit in a length makes it allocate
 * gigabytes), reads the whole file onto the heap at once, and hands bfloat16 to the engine, which
 * aborts the JVM (see {@link TensorBytes}). Here the header is checked against the file first and
 * tensors are read one at a time.
 */
public final class SafeTensors {
    /** One tensor is read into one Java buffer: at most 2 GB. */
    private static final long MAX_TENSOR = Integer.MAX_VALUE - 16;
    private static final long MAX_HEADER = 100L << 20;

    private SafeTensors() {}

    /** True if the file starts like a safetensors file (a plausible length, then '{'). */
    static boolean looksLike(byte[] head, long fileSize) {
        if (head.length < 9 || head[8] != '{') {
            return false;
        }
        long n = ByteBuffer.wrap(head, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        return n > 0 && n <= fileSize - 8;
    }

    /**
     * Reads every tensor of {@code file} into {@code manager}, in file order, by name.
     *
     * @throws ConvkitException naming the file and what is wrong with it
     */
    public static Map<String, NDArray> read(Path file, NDManager manager) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            Header h = header(file, ch.size(), ch);
            for (Entry e : h.entries()) {
                // read straight into native memory the new array then owns (no heap copy);
                // bfloat16 is widened on the heap instead
                int size = (int) (e.end() - e.begin());
                ByteBuffer bytes = e.dtype() == DataType.BFLOAT16 ? ByteBuffer.allocate(size)
                        : manager.allocateDirect(size);
                long pos = h.dataStart() + e.begin();
                while (bytes.hasRemaining()) {
                    if (ch.read(bytes, pos + bytes.position()) < 0) {
                        throw new ConvkitException(file + ": truncated while reading tensor " + e.name());
                    }
                }
                bytes.flip();
                NDArray a = TensorBytes.create(manager, bytes, e.shape(), e.dtype());
                a.setName(e.name());
                out.put(e.name(), a);
            }
        } catch (IOException e) {
            out.values().forEach(NDArray::close);
            throw new ConvkitException(file + ": cannot read (" + e.getMessage() + ")", e);
        } catch (RuntimeException e) {
            out.values().forEach(NDArray::close);
            throw e;
        }
        return out;
    }

    /** The shape of every tensor of {@code file}, in file order, from its header alone. */
    static Map<String, Shape> shapes(Path file) {
        Map<String, Shape> out = new LinkedHashMap<>();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            header(file, ch.size(), ch).entries().forEach(e -> out.put(e.name(), e.shape()));
        } catch (IOException e) {
            throw new ConvkitException(file + ": cannot read (" + e.getMessage() + ")", e);
        }
        return out;
    }

    /**
     * Writes {@code tensors} under their map keys. The arrays are not changed (their names are
     * set for the encoder and restored).
     */
    public static void write(OutputStream out, Map<String, NDArray> tensors) throws IOException {
        long total = 0;
        for (NDArray a : tensors.values()) {
            total += a.size() * a.getDataType().getNumOfBytes();
        }
        if (total > Integer.MAX_VALUE) { // DJL's encoder addresses the data with int offsets
            throw new ConvkitException("cannot write " + total / (1 << 20) + " MB of tensors into one safetensors"
                    + " file: the limit is 2 GB");
        }
        NDList list = new NDList(tensors.size());
        List<String> oldNames = new ArrayList<>(tensors.size());
        for (Map.Entry<String, NDArray> e : tensors.entrySet()) {
            oldNames.add(e.getValue().getName());
            e.getValue().setName(e.getKey());
            list.add(e.getValue());
        }
        try {
            list.encode(out, NDList.Encoding.SAFETENSORS);
        } finally {
            for (int i = 0; i < list.size(); i++) {
                list.get(i).setName(oldNames.get(i));
            }
        }
    }

    private record Entry(String name, DataType dtype, Shape shape, long begin, long end) {}

    private record Header(long dataStart, List<Entry> entries) {}

    /** Reads and checks the header: lengths within the file, known dtypes, byte ranges matching shapes. */
    private static Header header(Path file, long fileSize, FileChannel ch) throws IOException {
        if (fileSize < 10) {
            throw new ConvkitException(file + ": truncated safetensors file (" + fileSize + " bytes)");
        }
        ByteBuffer lenBytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        ch.read(lenBytes, 0);
        long headerLen = lenBytes.getLong(0);
        if (headerLen <= 0 || headerLen > fileSize - 8 || headerLen > MAX_HEADER) {
            throw new ConvkitException(file + ": corrupt safetensors header (says " + headerLen
                    + " header bytes, the file has " + fileSize + ")");
        }
        ByteBuffer json = ByteBuffer.allocate((int) headerLen);
        while (json.hasRemaining() && ch.read(json, 8 + json.position()) >= 0) {
            // read until full
        }
        JsonNode header;
        try {
            header = Json.mapper().readTree(new String(json.array(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new ConvkitException(file + ": corrupt safetensors header (" + e.getMessage() + ")", e);
        }
        if (header == null || !header.isObject()) {
            throw new ConvkitException(file + ": corrupt safetensors header (not a JSON object)");
        }
        long dataLen = fileSize - 8 - headerLen;
        List<Entry> entries = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getKey().equals("__metadata__")) {
                entries.add(entry(file, e.getKey(), e.getValue(), dataLen));
            }
        }
        return new Header(8 + headerLen, entries);
    }

    private static Entry entry(Path file, String name, JsonNode t, long dataLen) {
        String what = file + ": tensor " + name;
        JsonNode offsets = t.path("data_offsets");
        JsonNode shape = t.path("shape");
        if (!offsets.isArray() || offsets.size() != 2 || !shape.isArray() || !t.path("dtype").isTextual()) {
            throw new ConvkitException(what + ": corrupt header entry " + t);
        }
        DataType dt;
        try {
            dt = DataType.fromSafetensors(t.get("dtype").asText());
        } catch (IllegalArgumentException ex) {
            dt = null;
        }
        if (dt == null || !TensorBytes.supported(dt)) {
            throw new ConvkitException(what + ": unsupported dtype " + t.get("dtype").asText());
        }
        long bytes = dt.getNumOfBytes();
        long[] dims = new long[shape.size()];
        for (int i = 0; i < dims.length; i++) {
            JsonNode d = shape.get(i);
            if (!d.canConvertToLong() || d.asLong() < 0 || (d.asLong() > 0 && bytes > MAX_TENSOR / d.asLong())) {
                throw new ConvkitException(what + ": corrupt shape " + shape);
            }
            dims[i] = d.asLong();
            bytes *= dims[i];
        }
        long begin = offsets.get(0).asLong(-1);
        long stop = offsets.get(1).asLong(-1);
        if (begin < 0 || stop < begin || stop > dataLen) {
            throw new ConvkitException(what + ": bytes " + begin + ".." + stop + " lie outside the file's "
                    + dataLen + " data bytes (truncated or corrupt file)");
        }
        if (stop - begin != bytes) {
            throw new ConvkitException(what + ": " + (stop - begin) + " bytes do not hold shape " + shape
                    + " of " + dt + " (corrupt header)");
        }
        return new Entry(name, dt, new Shape(dims), begin, stop);
    }
}
