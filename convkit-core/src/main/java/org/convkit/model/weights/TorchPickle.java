package org.convkit.model.weights;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.convkit.core.ConvkitException;
import org.convkit.model.weights.TorchUnpickler.StorageRef;
import org.convkit.model.weights.TorchUnpickler.TensorRef;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What both {@code torch.save} formats share once their container is opened (the zip of PyTorch
 * 1.6+ in {@link TorchZip}, the older stream of pickles in {@link TorchLegacy}): the pickled object
 * read through {@link TorchUnpickler} (tensors and plain containers only), the state dict found in
 * it, and the tensors cut out of their storages' bytes.
 */
final class TorchPickle {
    private static final Logger log = LoggerFactory.getLogger(TorchPickle.class);

    /** Keys under which training scripts commonly nest the state dict, tried in this order. */
    private static final List<String> WRAPPERS = List.of("state_dict", "model_state_dict", "model", "net");

    /** The bytes of one storage, read by the container on demand. */
    interface Storages {
        /**
         * @param tensor the first tensor that uses the storage (named in messages)
         * @return the storage's raw little-endian bytes, at least {@code s.numel()} elements
         */
        byte[] read(String tensor, StorageRef s) throws IOException;
    }

    private TorchPickle() {}

    /**
     * Unpickles one pickle of {@code file} from {@code in}.
     *
     * @param what names the pickle in messages ("data.pkl")
     * @param unpickler a fresh one per pickle (it remembers the storages it met)
     * @throws ConvkitException refusing a pickle that names anything but tensors and plain
     *     containers, or naming a corrupt one
     */
    static Object unpickle(Path file, String what, TorchUnpickler unpickler, InputStream in) {
        try {
            return unpickler.load(in);
        } catch (TorchUnpickler.Refused e) {
            throw new ConvkitException(file + ": refused to load, " + e.getMessage() + ". convkit reads only"
                    + " tensors and plain containers (dict, list, tuple) from .pth files, because loading anything"
                    + " else can run code. In PyTorch, save the weights alone: torch.save(model.state_dict(), path).");
        } catch (IOException | RuntimeException e) {
            throw new ConvkitException(file + ": corrupt " + what + " (" + e.getMessage() + ")", e);
        }
    }

    /**
     * The dict of tensors inside what was pickled: the object itself, or what it holds under
     * "state_dict", "model_state_dict", "model" or "net" (training checkpoints), whichever holds
     * more tensors: a checkpoint may keep a tensor or two beside its state dict (PyTorch's ImageNet
     * example saves {@code best_acc1} as one). Entries that are not tensors (an epoch number,
     * optimizer settings) are ignored.
     */
    static Map<String, TensorRef> stateDict(Path file, Object root) {
        StringBuilder path = new StringBuilder();
        Map<String, TensorRef> found = root instanceof Map<?, ?> m ? find(m, path) : Map.of();
        if (found.isEmpty()) {
            String what = root instanceof Map<?, ?> r ? "a dict with keys " + firstKeys(r)
                    : root == null ? "None" : "a " + root.getClass().getSimpleName();
            throw new ConvkitException(file + ": holds no state dict of tensors (found " + what + ")");
        }
        if (path.length() > 0) {
            log.info("{}: using the state dict under {}", file, path);
        }
        return found;
    }

    /** The tensors of {@code m}, or of the wrapper in it holding more; {@code path} gets the wrappers taken. */
    private static Map<String, TensorRef> find(Map<?, ?> m, StringBuilder path) {
        Map<String, TensorRef> own = tensors(m);
        for (String w : WRAPPERS) {
            if (m.get(w) instanceof Map<?, ?> inner) {
                StringBuilder innerPath = new StringBuilder("['" + w + "']");
                Map<String, TensorRef> nested = find(inner, innerPath);
                if (nested.size() > own.size()) {
                    path.append(innerPath);
                    return nested;
                }
                break;
            }
        }
        return own;
    }

    /** The shape of every tensor, without reading a byte of its data. */
    static Map<String, Shape> shapes(Map<String, TensorRef> refs) {
        Map<String, Shape> out = new LinkedHashMap<>();
        refs.forEach((k, t) -> out.put(k, new Shape(t.size())));
        return out;
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
    static Map<String, NDArray> materialize(Path file, Map<String, TensorRef> refs, Storages storages,
            NDManager manager) throws IOException {
        Map<String, Storage> read = new HashMap<>();
        Map<String, Integer> users = new HashMap<>(); // tensors still to come per storage: drop bytes after the last
        refs.values().forEach(t -> users.merge(t.storage().key(), 1, Integer::sum));
        Map<String, NDArray> out = new LinkedHashMap<>();
        for (Map.Entry<String, TensorRef> e : refs.entrySet()) {
            StorageRef s = e.getValue().storage();
            Storage data = read.get(s.key());
            if (data == null) {
                data = storage(file, e.getKey(), s, storages.read(e.getKey(), s));
                read.put(s.key(), data);
            }
            if (users.merge(s.key(), -1, Integer::sum) == 0) {
                read.remove(s.key());
            }
            NDArray a = tensor(file, e.getKey(), e.getValue(), data, manager);
            a.setName(e.getKey());
            out.put(e.getKey(), a);
        }
        return out;
    }

    private static Storage storage(Path file, String tensor, StorageRef s, byte[] raw) {
        long have = raw.length / s.dtype().getNumOfBytes();
        if (have < s.numel()) {
            throw new ConvkitException(file + ": storage " + s.key() + " of tensor " + tensor + " has " + have
                    + " elements, " + s.numel() + " expected (truncated or corrupt)");
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
        long offset = t.offset() + t.storage().viewOffset(); // elements into the stored storage
        if (size.length != stride.length || t.offset() < 0) {
            throw new ConvkitException(file + ": tensor " + name + " has a corrupt layout");
        }
        long numel = 1;
        long last = offset;
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
            ByteBuffer bb = ByteBuffer.wrap(storage.bytes(), (int) (offset * es), (int) (numel * es));
            return TensorBytes.create(manager, bb, shape, dt);
        }
        // a non-contiguous view (a transpose, a slice with steps): gather its elements by their
        // storage index, offset + sum(i_k * stride_k), built by broadcasting one arange per axis
        try (NDManager scratch = manager.newSubManager()) {
            NDArray flat = TensorBytes.create(scratch, ByteBuffer.wrap(storage.bytes()), new Shape(storage.numel()), dt);
            NDArray index = scratch.create(offset);
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
}
