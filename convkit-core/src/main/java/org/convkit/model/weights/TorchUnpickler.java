package org.convkit.model.weights;

import ai.djl.ndarray.types.DataType;
import java.io.IOException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.razorvine.pickle.IObjectConstructor;
import net.razorvine.pickle.Opcodes;
import net.razorvine.pickle.PickleException;
import net.razorvine.pickle.PickleUtils;
import net.razorvine.pickle.Unpickler;

/**
 * Pyrolite's pickle machine restricted to what a PyTorch state dict is made of: tensors, plain
 * containers (dict, OrderedDict, list, tuple) and primitives.
 *
 * <p>A pickle names Python callables ("globals") and calls them while loading; in Python that is
 * how a .pth file can run any code. Here every global is checked against a short allow-list before
 * anything else happens, and a pickle naming any other (os.system, a model class, ...) is refused
 * with the name in the message. Pyrolite's own table of globals (datetime, sets ...) is bypassed.
 *
 * <p>Tensors are not materialized here: {@code _rebuild_tensor_v2} yields a {@link TensorRef}
 * (storage key, dtype, offset, size, stride) and the caller reads the bytes, so a refused or
 * corrupt pickle allocates no tensor memory.
 */
final class TorchUnpickler extends Unpickler {

    /** A pickle tried to use a global outside the allow-list. */
    static final class Refused extends PickleException {
        private static final long serialVersionUID = 1L;
        final String global;

        Refused(String global, String why) {
            super(why);
            this.global = global;
        }
    }

    /**
     * A storage as torch.save records it: bytes in zip entry data/KEY (or, in the legacy format,
     * the stream's storage section under KEY).
     *
     * @param numel elements of the stored storage
     * @param viewOffset where a storage view of PyTorch &lt; 0.4 starts in it, in elements (else 0)
     */
    record StorageRef(String key, DataType dtype, long numel, long viewOffset) {}

    /** A tensor: a strided view of a storage (PyTorch's _rebuild_tensor_v2 arguments). */
    record TensorRef(StorageRef storage, long offset, long[] size, long[] stride) {}

    /** torch.FloatStorage and friends: only ever a marker in a persistent id. */
    private record StorageType(DataType dtype) implements IObjectConstructor {
        @Override
        public Object construct(Object[] args) {
            throw new PickleException("a storage type was called; not a state dict");
        }
    }

    /** collections.OrderedDict, which also receives the _metadata attribute state dicts carry. */
    public static final class OrderedDict extends LinkedHashMap<Object, Object> {
        private static final long serialVersionUID = 1L;

        // called reflectively by Pyrolite's BUILD opcode with the object's __dict__; the
        // version metadata it carries is not needed
        public void __setstate__(HashMap<?, ?> state) {}

        public void __setstate__(LinkedHashMap<?, ?> state) {}

        public void __setstate__(OrderedDict state) {}
    }

    private static final Map<String, DataType> STORAGES = Map.of(
            "FloatStorage", DataType.FLOAT32,
            "DoubleStorage", DataType.FLOAT64,
            "HalfStorage", DataType.FLOAT16,
            "BFloat16Storage", DataType.BFLOAT16,
            "LongStorage", DataType.INT64,
            "IntStorage", DataType.INT32,
            "CharStorage", DataType.INT8,
            "ByteStorage", DataType.UINT8,
            "BoolStorage", DataType.BOOLEAN);

    private final Map<String, StorageRef> storages = new LinkedHashMap<>();

    @Override
    protected Object dispatch(short key) throws IOException {
        switch (key) {
            case Opcodes.GLOBAL -> {
                String module = PickleUtils.readline(input);
                String name = PickleUtils.readline(input);
                stack.add(global(module, name));
                return NO_RETURN_VALUE;
            }
            case Opcodes.STACK_GLOBAL -> {
                Object name = stack.pop();
                Object module = stack.pop();
                if (!(name instanceof String n) || !(module instanceof String m)) {
                    throw new PickleException("corrupt pickle: STACK_GLOBAL without names");
                }
                stack.add(global(m, n));
                return NO_RETURN_VALUE;
            }
            case Opcodes.INST -> {
                String module = PickleUtils.readline(input);
                String name = PickleUtils.readline(input);
                throw new Refused(module + "." + name, "it creates an object of class " + module + "." + name);
            }
            case Opcodes.EMPTY_DICT -> { // keep the file's key order (Pyrolite uses a HashMap)
                stack.add(new LinkedHashMap<>());
                return NO_RETURN_VALUE;
            }
            case Opcodes.SETITEMS -> { // in order, where Pyrolite collects the pairs in a HashMap first
                List<Object> items = stack.pop_all_since_marker();
                @SuppressWarnings("unchecked")
                Map<Object, Object> dict = (Map<Object, Object>) stack.peek();
                for (int i = 0; i + 1 < items.size(); i += 2) {
                    dict.put(items.get(i), items.get(i + 1));
                }
                return NO_RETURN_VALUE;
            }
            case Opcodes.BINSTRING, Opcodes.BINBYTES, Opcodes.BINUNICODE, Opcodes.LONG4 -> checkLength(4);
            case Opcodes.BINUNICODE8, Opcodes.BINBYTES8, Opcodes.BYTEARRAY8 -> checkLength(8);
            default -> { }
        }
        return super.dispatch(key);
    }

    /**
     * A corrupt length would make Pyrolite allocate up to 2 GB before noticing the data is not
     * there; refuse lengths beyond the end of the pickle instead.
     */
    private void checkLength(int bytes) throws IOException {
        input.mark(bytes);
        byte[] b = PickleUtils.readbytes(input, bytes);
        input.reset();
        long len = bytes == 4 ? PickleUtils.bytes_to_integer(b) : PickleUtils.bytes_to_long(b, 0);
        if (len < 0 || len > input.available() - bytes) {
            throw new PickleException("corrupt pickle: a string of " + len + " bytes runs past the end of the data");
        }
    }

    /** The allow-list: what a state dict needs, nothing else. */
    private Object global(String module, String name) {
        String full = module + "." + name;
        switch (full) {
            case "collections.OrderedDict":
                return (IObjectConstructor) args -> new OrderedDict();
            case "torch._utils._rebuild_tensor_v2":
            case "torch._utils._rebuild_tensor":
                return (IObjectConstructor) TorchUnpickler::rebuildTensor;
            case "torch._utils._rebuild_parameter":
            case "torch._utils._rebuild_parameter_with_state":
                return (IObjectConstructor) args -> {
                    if (args.length < 1 || !(args[0] instanceof TensorRef t)) {
                        throw new PickleException("corrupt pickle: a parameter without a tensor");
                    }
                    return t;
                };
            default:
                break;
        }
        if (module.equals("torch") && STORAGES.containsKey(name)) {
            return new StorageType(STORAGES.get(name));
        }
        if (module.equals("torch") && name.endsWith("Storage")) {
            throw new Refused(full, "it holds a tensor of type " + name + ", which convkit does not read");
        }
        throw new Refused(full, "it references " + full);
    }

    /**
     * torch.save's persistent id: ('storage', storage type, key, location, element count), and in
     * the legacy format a sixth item, None or (view key, offset, size) for a view of the storage.
     */
    @Override
    protected Object persistentLoad(Object pid) {
        if (!(pid instanceof Object[] t) || t.length < 5 || !"storage".equals(t[0]) || !(t[1] instanceof StorageType type)
                || !(t[2] instanceof String key) || !(t[4] instanceof Number numel)) {
            throw new PickleException("corrupt pickle: unexpected persistent id " + describe(pid));
        }
        long viewOffset = 0;
        if (t.length > 5 && t[5] != null) {
            if (!(t[5] instanceof Object[] view) || view.length != 3 || !(view[1] instanceof Number offset)
                    || offset.longValue() < 0) {
                throw new PickleException("corrupt pickle: unexpected storage view " + describe(t[5]));
            }
            viewOffset = offset.longValue();
        }
        StorageRef ref = new StorageRef(key, type.dtype(), numel.longValue(), viewOffset);
        storages.putIfAbsent(key, ref);
        return ref;
    }

    /**
     * Every storage the pickle referred to, by key, also those of tensors outside the state dict
     * (the legacy format needs each one's element size to find the next).
     */
    Map<String, StorageRef> storages() {
        return storages;
    }

    /** _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, hooks[, metadata]). */
    private static Object rebuildTensor(Object[] a) {
        if (a.length < 4 || !(a[0] instanceof StorageRef s) || !(a[1] instanceof Number off)) {
            throw new PickleException("corrupt pickle: bad tensor arguments");
        }
        return new TensorRef(s, off.longValue(), longs(a[2]), longs(a[3]));
    }

    private static long[] longs(Object tuple) {
        if (!(tuple instanceof Object[] t)) {
            throw new PickleException("corrupt pickle: tensor size or stride is not a tuple");
        }
        long[] out = new long[t.length];
        for (int i = 0; i < t.length; i++) {
            if (!(t[i] instanceof Number n)) {
                throw new PickleException("corrupt pickle: tensor size or stride holds " + describe(t[i]));
            }
            out[i] = n.longValue();
        }
        return out;
    }

    private static String describe(Object o) {
        return o == null ? "None" : o instanceof Object[] a ? java.util.Arrays.deepToString(a) : o.getClass().getSimpleName();
    }
}
