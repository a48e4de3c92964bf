package org.convkit.model.weights;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import org.convkit.core.ConvkitException;
import org.convkit.model.weights.TorchUnpickler.TensorRef;

/**
 * Reads what {@code torch.save} writes since PyTorch 1.6: a zip holding {@code NAME/data.pkl} (the
 * pickled object, tensors as references) and {@code NAME/data/KEY} (each storage's raw
 * little-endian bytes). The pickle and the tensors in it are read as {@link TorchPickle} reads
 * them (tensors and plain containers only); this class knows the zip around them.
 */
final class TorchZip {
    private static final long MAX_PICKLE = 1L << 30;

    private TorchZip() {}

    /** The tensors of a torch.save'd state dict, by key, created in {@code manager}. */
    static Map<String, NDArray> read(Path file, NDManager manager) {
        try (ZipFile zip = new ZipFile(file.toFile())) {
            String prefix = archivePrefix(file, zip);
            Map<String, TensorRef> refs = refs(file, zip, prefix);
            return TorchPickle.materialize(file, refs, (tensor, s) -> {
                ZipEntry entry = zip.getEntry(prefix + "data/" + s.key());
                if (entry == null) {
                    throw new ConvkitException(file + ": tensor " + tensor + " refers to storage " + s.key()
                            + ", which the file lacks (truncated or corrupt)");
                }
                return bytes(file, zip, entry);
            }, manager);
        } catch (ZipException e) {
            throw corrupt(file, e);
        } catch (IOException e) {
            throw new ConvkitException(file + ": cannot read (" + e.getMessage() + ")", e);
        }
    }

    /** The shape of every tensor of the state dict, read from the pickle alone. */
    static Map<String, Shape> shapes(Path file) {
        try (ZipFile zip = new ZipFile(file.toFile())) {
            return TorchPickle.shapes(refs(file, zip, archivePrefix(file, zip)));
        } catch (ZipException e) {
            throw corrupt(file, e);
        } catch (IOException e) {
            throw new ConvkitException(file + ": cannot read (" + e.getMessage() + ")", e);
        }
    }

    private static ConvkitException corrupt(Path file, ZipException e) {
        return new ConvkitException(file + ": not a readable zip, the file is truncated or corrupt (" + e.getMessage()
                + ")", e);
    }

    /** The state dict's tensors as references into the storages (nothing read but the pickle). */
    private static Map<String, TensorRef> refs(Path file, ZipFile zip, String prefix) throws IOException {
        ZipEntry order = zip.getEntry(prefix + "byteorder");
        if (order != null && new String(bytes(file, zip, order), StandardCharsets.US_ASCII).trim().equals("big")) {
            throw new ConvkitException(file + ": saved on a big-endian machine; convkit reads little-endian files only");
        }
        ZipEntry pkl = zip.getEntry(prefix + "data.pkl");
        if (pkl.getSize() > MAX_PICKLE) {
            throw new ConvkitException(file + ": data.pkl is " + pkl.getSize() + " bytes, not a state dict");
        }
        Object root = TorchPickle.unpickle(file, "data.pkl", new TorchUnpickler(), new ByteArrayInputStream(bytes(file, zip, pkl)));
        return TorchPickle.stateDict(file, root);
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
