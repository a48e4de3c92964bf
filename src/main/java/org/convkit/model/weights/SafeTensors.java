package org.convkit.model.weights;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.convkit.core.ConvkitException;

/**
 * The safetensors format (Hugging Face): 8-byte little-endian header length, a JSON header naming
 * each tensor's dtype, shape and byte range, then the raw bytes. DJL encodes and decodes it
 * ({@link NDList#encode}, {@link NDList#decode}); this class checks a file's header against its
 * size first, because DJL trusts the header and a flipped bit in a length would make it allocate
 * gigabytes or read past the data.
 */
public final class SafeTensors {
    /** DJL addresses the data with int offsets: larger files are refused with a clear message. */
    private static final long MAX_DATA = Integer.MAX_VALUE;
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
        long size;
        try {
            size = Files.size(file);
        } catch (IOException e) {
            throw new ConvkitException(file + ": cannot read (" + e.getMessage() + ")", e);
        }
        validate(file, size);
        NDList list;
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            list = NDList.decode(manager, in);
        } catch (IOException | RuntimeException e) {
            throw new ConvkitException(file + ": not a readable safetensors file (" + e.getMessage() + ")", e);
        }
        Map<String, NDArray> out = new LinkedHashMap<>();
        for (NDArray a : list) {
            out.put(a.getName(), a);
        }
        return out;
    }

    /**
     * Writes {@code tensors} under their map keys. The arrays are not changed (their names are
     * set for the encoder and restored).
     */
    public static void write(OutputStream out, Map<String, NDArray> tensors) throws IOException {
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

    /** Checks the header: lengths within the file, known dtypes, byte ranges matching shapes. */
    private static void validate(Path file, long fileSize) {
        if (fileSize < 10) {
            throw new ConvkitException(file + ": truncated safetensors file (" + fileSize + " bytes)");
        }
        JsonNode header;
        long headerLen;
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
            byte[] b = new byte[8];
            in.readFully(b);
            headerLen = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getLong();
            if (headerLen <= 0 || headerLen > fileSize - 8 || headerLen > MAX_HEADER) {
                throw new ConvkitException(file + ": corrupt safetensors header (says " + headerLen
                        + " header bytes, the file has " + fileSize + ")");
            }
            byte[] json = new byte[(int) headerLen];
            in.readFully(json);
            header = new ObjectMapper().readTree(new String(json, StandardCharsets.UTF_8));
        } catch (ConvkitException e) {
            throw e;
        } catch (IOException e) {
            throw new ConvkitException(file + ": corrupt safetensors header (" + e.getMessage() + ")", e);
        }
        if (header == null || !header.isObject()) {
            throw new ConvkitException(file + ": corrupt safetensors header (not a JSON object)");
        }
        long dataLen = fileSize - 8 - headerLen;
        long end = 0;
        for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().equals("__metadata__")) {
                continue;
            }
            String what = file + ": tensor " + e.getKey();
            JsonNode t = e.getValue();
            JsonNode offsets = t.path("data_offsets");
            JsonNode shape = t.path("shape");
            if (!offsets.isArray() || offsets.size() != 2 || !shape.isArray() || !t.path("dtype").isTextual()) {
                throw new ConvkitException(what + ": corrupt header entry " + t);
            }
            DataType dt;
            try {
                dt = DataType.fromSafetensors(t.get("dtype").asText());
            } catch (IllegalArgumentException ex) {
                throw new ConvkitException(what + ": unsupported dtype " + t.get("dtype").asText());
            }
            long bytes = dt.getNumOfBytes();
            for (JsonNode d : shape) {
                if (!d.canConvertToLong() || d.asLong() < 0 || (d.asLong() > 0 && bytes > MAX_DATA / d.asLong())) {
                    throw new ConvkitException(what + ": corrupt shape " + shape);
                }
                bytes *= d.asLong();
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
            end = Math.max(end, stop);
        }
        if (end > MAX_DATA) {
            throw new ConvkitException(file + ": tensors over 2 GB in one safetensors file are not supported");
        }
    }
}
