package org.convkit.model.weights;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
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
 * they are freed. Reads PyTorch's {@code .safetensors} and what {@code torch.save} writes ({@code
 * .pth}, {@code .pt}, {@code .bin}): the zip of PyTorch 1.6+ and the legacy format before it. The
 * format is told by the file's first bytes, not its name.
 *
 * <p>Keys are as the file has them, minus a prefix every key shares that wrappers add:
 * {@code module.} (DataParallel / DistributedDataParallel) and {@code _orig_mod.} (torch.compile).
 */
public final class StateDict implements AutoCloseable {
    private static final List<String> WRAPPER_PREFIXES = List.of("module.", "_orig_mod.");

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
        Format format = format(file);
        NDManager manager = NDManager.newBaseManager(Device.cpu());
        try {
            Map<String, NDArray> tensors = switch (format) {
                case ZIP -> TorchZip.read(file, manager);
                case LEGACY -> TorchLegacy.read(file, manager);
                case SAFETENSORS -> SafeTensors.read(file, manager);
            };
            return new StateDict(file, format.text, manager, stripWrapperPrefixes(tensors));
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /**
     * The shape of every tensor in {@code file} by key (wrapper prefixes stripped, as {@link
     * #read}), read from the file's header or pickle alone: no tensor data is read.
     */
    public static Map<String, Shape> shapes(Path file) {
        Map<String, Shape> shapes = switch (format(file)) {
            case ZIP -> TorchZip.shapes(file);
            case LEGACY -> TorchLegacy.shapes(file);
            case SAFETENSORS -> SafeTensors.shapes(file);
        };
        return stripWrapperPrefixes(shapes);
    }

    private enum Format {
        ZIP("torch.save zip"),
        LEGACY("torch.save legacy (before PyTorch 1.6)"),
        SAFETENSORS("safetensors");

        final String text;

        Format(String text) {
            this.text = text;
        }
    }

    /** The file's format, from its first bytes. */
    private static Format format(Path file) {
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
        if (head.length >= 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4) {
            return Format.ZIP;
        }
        if (TorchLegacy.looksLike(head)) {
            return Format.LEGACY;
        }
        if (SafeTensors.looksLike(head, size)) {
            return Format.SAFETENSORS;
        }
        throw new ConvkitException(file + ": " + unknownFormat(head));
    }

    private static String unknownFormat(byte[] head) {
        if (head.length > 0 && (head[0] & 0xff) == 0x80) {
            return "a bare pickle, not a torch.save file; save it with torch.save(state_dict, path).";
        }
        if (head.length >= 8 && head[0] == 'P' && head[1] == 'K') {
            return "a zip file that is truncated or corrupt.";
        }
        return "not a weights file convkit knows (expected .safetensors, or .pth/.pt written by torch.save);"
                + " it is empty, truncated or of another format.";
    }

    private static <T> Map<String, T> stripWrapperPrefixes(Map<String, T> tensors) {
        Map<String, T> out = tensors;
        boolean changed = true;
        while (changed && !out.isEmpty()) {
            changed = false;
            for (String prefix : WRAPPER_PREFIXES) {
                if (out.keySet().stream().allMatch(k -> k.startsWith(prefix))) {
                    Map<String, T> stripped = new LinkedHashMap<>();
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

    /**
     * True if {@link #tensors} iterate in the order of the state dict that was saved (the order the
     * model registered its parameters): torch.save keeps it, safetensors files do not.
     */
    public boolean inStateDictOrder() {
        return !format.equals(Format.SAFETENSORS.text);
    }

    /** "safetensors", "torch.save zip" or "torch.save legacy (before PyTorch 1.6)". */
    public String format() {
        return format;
    }

    @Override
    public void close() {
        manager.close();
    }
}
