package org.convkit.model.weights;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import org.convkit.core.ConvkitException;
import org.convkit.model.weights.TorchUnpickler.StorageRef;
import org.convkit.model.weights.TorchUnpickler.TensorRef;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads what {@code torch.save} writes since PyTorch 1.6: a zip holding {@code NAME/data.pkl} (the
 * pickled object, tensors as references) and {@code NAME/data/KEY} (each storage's raw
 * little-endian bytes). The pickle goes through {@link TorchUnpickler}, which accepts tensors and
 * plain containers only.
 */
final class TorchZip {
    private static final Logger log = LoggerFactory.getLogger(TorchZip.class);

    /** Keys under which training scripts commonly nest the state dict, tried in this order. */
    private static final List<String> WRAPPERS = List.of("state_dict", "model_state_dict", "model", "net");

    private static final long MAX_PICKLE = 1L << 30;

    private TorchZip() {}

    /** The tensors of a torch.save'd state dict, by key, created in {@code manager}. */
    static Map<String, NDArray> read(Path file, NDManager manager) {
        try (ZipFile zip = new ZipFile(file.toFile())) {
            String prefix = archivePrefix(file, zip);
            ZipEntry order = zip.getEntry(prefix + "byteorder");
            if (order != null && new String(bytes(file, zip, order), StandardCharsets.US_ASCII).trim().equals("big")) {
                throw new ConvkitException(file + ": saved on a big-endian machine; convkit reads little-endian files only");
            }
            ZipEntry pkl = zip.getEntry(prefix + "data.pkl");
            if (pkl.getSize() > MAX_PICKLE) {
                throw new ConvkitException(file + ": data.pkl is " + pkl.getSize() + " bytes, not a state dict");
            }
            Object root;
            try {
                root = new TorchUnpickler().load(bytes(file, zip, pkl));
            } catch (TorchUnpickler.Refused e) {
                throw new ConvkitException(file + ": refused to load, " + e.getMessage() + ". convkit reads only"
                        + " tensors and plain containers (dict, list, tuple) from .pth files, because loading anything"
                        + " else can run code. In PyTorch, save the weights alone: torch.save(model.state_dict(), path).");
            } catch (IOException | RuntimeException e) {
                throw new ConvkitException(file + ": corrupt data.pkl (" + e.getMessage() + ")", e);
            }
            Map<String, TensorRef> refs = stateDict(file, root);
            return materialize(file, zip, prefix, refs, manager);
        } catch (ZipException e) {
            throw new ConvkitException(file + ": not a readable zip, the file is truncated or corrupt (" + e.getMessage()
                    + ")", e);
        } catch (IOException e) {
            throw new ConvkitException(file + ": cannot read (" + e.getMessage() + ")", e);
        }
    }

    /** The folder inside the zip that holds data.pkl ("archive/", "resnet18/" ...). */
    private static String archivePrefix(Path file, ZipFile zip) {
        String best = null;
        boolean script = false;
        for (Enumeration<? extends ZipEntry> en = zip.entries(); en.hasMoreElements(); ) {
            String name = en.nextElement().getName();
            if (name.endsWith("/data.pkl") && name.indexOf('/') == name.length() - "/data.pkl".length()
                    && (best == null || name.length() < best.length())) {
                best = name;
            }
            script |= name.endsWith("/constants.pkl") || name.contains("/code/");
        }
        if (script) {
            throw new ConvkitException(file + ": a TorchScript archive (torch.jit.save), not a state dict. In"
                    + " PyTorch, save the weights: torch.save(model.state_dict(), path).");
        }
        if (best == null) {
            throw new ConvkitException(file + ": a zip without data.pkl, not a torch.save file");
        }
        return best.substring(0, best.length() - "data.pkl".length());
    }

    /**
     * The dict of tensors inside what was pickled: the object itself, or what it holds under
     * "state_dict", "model_state_dict", "model" or "net" (training checkpoints). Entries that are
     * not tensors (an epoch number, optimizer settings) are ignored.
     */
    private static Map<String, TensorRef> stateDict(Path file, Object root) {
        Object node = root;
        String path = "";
        while (node instanceof Map<?, ?> m && tensors(m).isEmpty()) {
            Object inner = null;
            for (String w : WRAPPERS) {
                if (m.get(w) instanceof Map<?, ?>) {
                    inner = m.get(w);
                    path += "['" + w + "']";
                    break;
                }
            }
            if (inner == null) {
                break;
            }
            node = inner;
        }
        if (!(node instanceof Map<?, ?> m) || tensors(m).isEmpty()) {
            String what = root instanceof Map<?, ?> r ? "a dict with keys " + firstKeys(r)
                    : root == null ? "None" : "a " + root.getClass().getSimpleName();
            throw new ConvkitException(file + ": holds no state dict of tensors (found " + what + ")");
        }
        if (!path.isEmpty()) {
            log.info("{}: using the state dict under {}", file, path);
        }
        return tensors(m);
    }

    private static Map<String, TensorRef> tensors(Map<?, ?> m) {
        Map<String, TensorRef> out = new LinkedHashMap<>();
        m.forEach((k, v) -> {
            if (k instanceof String s && v instanceof TensorRef t) {
                out.put(s, t);
            }
        });
        return out;
    }

    private static String firstKeys(Map<?, ?> m) {
        List<String> keys = new ArrayList<>();
        for (Object k : m.keySet()) {
            if (keys.size() == 8) {
                keys.add("...");
                break;
            }
            keys.add(String.valueOf(k));
        }
        return keys.toString();
    }

    /** A storage's bytes as they will be in memory (bfloat16 widened to float32). */
    private record Storage(byte[] bytes, DataType type) {
        long numel() {
            return bytes.length / type.getNumOfBytes();
        }
    }

    /** Creates the tensors; storages are read once each, also when several tensors share one. */
    private static Map<String, NDArray> materialize(Path file, ZipFile zip, String prefix, Map<String, TensorRef> refs,
            NDManager manager) throws IOException {
        Map<String, Storage> storages = new HashMap<>();
        Map<String, Integer> users = new HashMap<>(); // tensors still to come per storage: drop bytes after the last
        refs.values().forEach(t -> users.merge(t.storage().key(), 1, Integer::sum));
        Map<String, NDArray> out = new LinkedHashMap<>();
        for (Map.Entry<String, TensorRef> e : refs.entrySet()) {
            StorageRef s = e.getValue().storage();
            Storage data = storages.get(s.key());
            if (data == null) {
                data = storage(file, zip, prefix, e.getKey(), s);
                storages.put(s.key(), data);
            }
            if (users.merge(s.key(), -1, Integer::sum) == 0) {
                storages.remove(s.key());
            }
            NDArray a = tensor(file, e.getKey(), e.getValue(), data, manager);
            a.setName(e.getKey());
            out.put(e.getKey(), a);
        }
        return out;
    }

    private static Storage storage(Path file, ZipFile zip, String prefix, String tensor, StorageRef s)
            throws IOException {
        ZipEntry entry = zip.getEntry(prefix + "data/" + s.key());
        if (entry == null) {
            throw new ConvkitException(file + ": tensor " + tensor + " refers to storage " + s.key()
                    + ", which the file lacks (truncated or corrupt)");
        }
        byte[] raw = bytes(file, zip, entry);
        long have = raw.length / s.dtype().getNumOfBytes();
        if (have < s.numel()) {
            throw new ConvkitException(file + ": storage " + s.key() + " has " + have + " elements, "
                    + s.numel() + " expected (truncated or corrupt)");
        }
        if (s.dtype() == DataType.BFLOAT16) {
            return new Storage(TensorBytes.widenBfloat16(ByteBuffer.wrap(raw)).array(), DataType.FLOAT32);
        }
        return new Storage(raw, s.dtype());
    }

    /** One tensor: a strided view of its storage, copied out as a contiguous array. */
    private static NDArray tensor(Path file, String name, TensorRef t, Storage storage, NDManager manager) {
        DataType dt = storage.type();
        int es = dt.getNumOfBytes();
        long[] size = t.size();
        long[] stride = t.stride();
        if (size.length != stride.length || t.offset() < 0) {
            throw new ConvkitException(file + ": tensor " + name + " has a corrupt layout");
        }
        long numel = 1;
        long last = t.offset();
        boolean contiguous = true;
        long expected = 1;
        for (int i = size.length - 1; i >= 0; i--) {
            if (size[i] < 0 || stride[i] < 0) {
                throw new ConvkitException(file + ": tensor " + name + " has a corrupt layout");
            }
            numel *= size[i];
            last += (size[i] - 1) * stride[i];
            contiguous &= size[i] == 1 || stride[i] == expected;
            expected *= size[i];
        }
        Shape shape = new Shape(size);
        if (numel == 0) {
            return manager.create(shape, dt);
        }
        if (last >= storage.numel()) {
            throw new ConvkitException(file + ": tensor " + name + " reaches element " + last + " of a storage of "
                    + storage.numel() + " (corrupt)");
        }
        if (contiguous) {
            ByteBuffer bb = ByteBuffer.wrap(storage.bytes(), (int) (t.offset() * es), (int) (numel * es));
            return TensorBytes.create(manager, bb, shape, dt);
        }
        // a non-contiguous view (a transpose, a slice with steps): gather its elements by their
        // storage index, offset + sum(i_k * stride_k), built by broadcasting one arange per axis
        try (NDManager scratch = manager.newSubManager()) {
            NDArray flat = TensorBytes.create(scratch, ByteBuffer.wrap(storage.bytes()), new Shape(storage.numel()), dt);
            NDArray index = scratch.create(t.offset());
            for (int k = 0; k < size.length; k++) {
                long[] axisShape = new long[size.length];
                java.util.Arrays.fill(axisShape, 1);
                axisShape[k] = size[k];
                NDArray axis = scratch.arange(0, (int) size[k], 1).toType(DataType.INT64, false).mul(stride[k])
                        .reshape(new Shape(axisShape));
                index = index.add(axis);
            }
            return flat.take(manager, index);
        }
    }

    /** An entry's bytes, checked against the CRC the zip records (a flipped bit shows here). */
    private static byte[] bytes(Path file, ZipFile zip, ZipEntry entry) throws IOException {
        if (entry.getSize() > Integer.MAX_VALUE - 16) {
            throw new ConvkitException(file + ": entry " + entry.getName() + " over 2 GB is not supported");
        }
        byte[] data;
        try (InputStream in = zip.getInputStream(entry)) {
            data = in.readAllBytes();
        }
        if (entry.getSize() >= 0 && data.length != entry.getSize()) {
            throw new ConvkitException(file + ": entry " + entry.getName() + " has " + data.length + " bytes, the zip says "
                    + entry.getSize() + " (truncated or corrupt)");
        }
        CRC32 crc = new CRC32();
        crc.update(data);
        if (entry.getCrc() != -1 && crc.getValue() != entry.getCrc()) {
            throw new ConvkitException(file + ": entry " + entry.getName() + " fails its checksum (corrupt file)");
        }
        return data;
    }
}
