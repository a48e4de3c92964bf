package org.convkit.model.weights;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.convkit.core.ConvkitException;

/**
 * Named tensors read from a weights file, owned by a manager of their own: close the StateDict and
 * they are freed. Reads PyTorch's {@code .safetensors} and {@code torch.save} zips ({@code .pth},
 * {@code .pt}, {@code .bin}); the format is told by the file's first bytes, not its name.
 *
 * <p>Keys are as the file has them, minus a prefix every key shares that wrappers add:
 * {@code module.} (DataParallel / DistributedDataParallel) and {@code _orig_mod.} (torch.compile).
 */
public final class StateDict implements AutoCloseable {
    private static final List<String> WRAPPER_PREFIXES = List.of("module.", "_orig_mod.");
    /** torch.save before 1.6 started with this pickled magic number instead of a zip. */
    private static final byte[] LEGACY_MAGIC = {(byte) 0x80, 0x02, (byte) 0x8a, 0x0a, 0x6c, (byte) 0xfc, (byte) 0x9c, 0x46};

    private final Path file;
    private final String format;
    private final NDManager manager;
    private final Map<String, NDArray> tensors;

    private StateDict(Path file, String format, NDManager manager, Map<String, NDArray> tensors) {
        this.file = file;
        this.format = format;
        this.manager = manager;
        this.tensors = Collections.unmodifiableMap(tensors);
    }

    /**
     * Reads {@code file} into CPU memory.
     *
     * @throws ConvkitException naming the file and the problem: missing, unknown format,
     *     truncated, corrupt, or a pickle holding more than tensors
     */
    public static StateDict read(Path file) {
        if (Files.isDirectory(file)) {
            throw new ConvkitException(file + ": a directory; expected a .safetensors or .pth file"
                    + (Files.isRegularFile(file.resolve(Checkpoint.MODEL_JSON)) ? " (this is a convkit checkpoint)" : ""));
        }
        if (!Files.isRegularFile(file)) {
            throw new ConvkitException(file + ": no such file");
        }
        byte[] head;
        long size;
        try (InputStream in = Files.newInputStream(file)) {
            head = in.readNBytes(16);
            size = Files.size(file);
        } catch (IOException e) {
            throw new ConvkitException(file + ": cannot read (" + e.getMessage() + ")", e);
        }
        NDManager manager = NDManager.newBaseManager(Device.cpu());
        try {
            String format;
            Map<String, NDArray> tensors;
            if (head.length >= 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4) {
                format = "torch.save zip";
                tensors = TorchZip.read(file, manager);
            } else if (SafeTensors.looksLike(head, size)) {
                format = "safetensors";
                tensors = SafeTensors.read(file, manager);
            } else {
                throw new ConvkitException(file + ": " + unknownFormat(head));
            }
            return new StateDict(file, format, manager, stripWrapperPrefixes(tensors));
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    private static String unknownFormat(byte[] head) {
        if (head.length >= LEGACY_MAGIC.length && java.util.Arrays.equals(head, 0, LEGACY_MAGIC.length, LEGACY_MAGIC, 0,
                LEGACY_MAGIC.length)) {
            return "saved by PyTorch before 1.6 (legacy torch.save format), which convkit does not read. In a"
                    + " recent PyTorch: torch.save(torch.load(old), new) writes the zip format.";
        }
        if (head.length > 0 && (head[0] & 0xff) == 0x80) {
            return "a bare pickle, not a torch.save zip; save it with torch.save(state_dict, path).";
        }
        if (head.length >= 8 && head[0] == 'P' && head[1] == 'K') {
            return "a zip file that is truncated or corrupt.";
        }
        return "not a weights file convkit knows (expected .safetensors, or .pth/.pt written by torch.save);"
                + " it is empty, truncated or of another format.";
    }

    private static Map<String, NDArray> stripWrapperPrefixes(Map<String, NDArray> tensors) {
        Map<String, NDArray> out = tensors;
        boolean changed = true;
        while (changed && !out.isEmpty()) {
            changed = false;
            for (String prefix : WRAPPER_PREFIXES) {
                if (out.keySet().stream().allMatch(k -> k.startsWith(prefix))) {
                    Map<String, NDArray> stripped = new LinkedHashMap<>();
                    out.forEach((k, v) -> stripped.put(k.substring(prefix.length()), v));
                    out = stripped;
                    changed = true;
                }
            }
        }
        return out;
    }

    /** The tensors by key, in file order. They live until {@link #close}. */
    public Map<String, NDArray> tensors() {
        return tensors;
    }

    public Path file() {
        return file;
    }

    /** "safetensors" or "torch.save zip". */
    public String format() {
        return format;
    }

    @Override
    public void close() {
        manager.close();
    }
}
