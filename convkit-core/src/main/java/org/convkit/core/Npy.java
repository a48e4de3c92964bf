package org.convkit.core;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipInputStream;

/**
 * NumPy {@code .npy} / {@code .npz} files of float32 arrays, the way a user hands tensors between
 * PyTorch and convkit. DJL does the encoding and decoding ({@link NDList#decode},
 * {@link NDList#encode}); this class checks a file's header before DJL sees it, because DJL
 * allocates whatever size a header claims and aborts the JVM on some dtypes (int16).
 */
public final class Npy {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr':\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order':\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape':\\s*\\(([^)]*)\\)");

    private Npy() {}

    /**
     * Reads a float32 {@code .npy} file into {@code manager}.
     *
     * @param flag the option that named the file, for messages (e.g. "--input")
     * @throws ConvkitException naming the file when it is not a float32 C-order array or is
     *     truncated
     */
    public static NDArray readFloat32(Path file, String flag, NDManager manager) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new ConvkitException(flag + " " + file + ": cannot read (" + e.getMessage() + ")", e);
        }
        String where = flag + " " + file;
        if (bytes.length < 10 || !Arrays.equals(bytes, 0, 6, MAGIC, 0, 6)) {
            throw new ConvkitException(where + ": not a NumPy .npy file (save one with numpy.save)");
        }
        int major = bytes[6];
        int headerLen;
        int start;
        if (major == 1) {
            headerLen = ByteBuffer.wrap(bytes, 8, 2).order(ByteOrder.LITTLE_ENDIAN).getShort() & 0xffff;
            start = 10;
        } else if ((major == 2 || major == 3) && bytes.length >= 12) {
            headerLen = ByteBuffer.wrap(bytes, 8, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
            start = 12;
        } else {
            throw new ConvkitException(where + ": unsupported .npy version " + major);
        }
        if (headerLen < 0 || start + (long) headerLen > bytes.length) {
            throw new ConvkitException(where + ": truncated .npy header");
        }
        String header = new String(bytes, start, headerLen, StandardCharsets.ISO_8859_1);
        Matcher descr = DESCR.matcher(header);
        Matcher fortran = FORTRAN.matcher(header);
        Matcher shape = SHAPE.matcher(header);
        if (!descr.find() || !fortran.find() || !shape.find()) {
            throw new ConvkitException(where + ": corrupt .npy header " + header.trim());
        }
        if (!List.of("<f4", "=f4").contains(descr.group(1))) {
            throw new ConvkitException(where + ": holds " + descr.group(1) + " values; convkit takes float32"
                    + " (in NumPy: x.astype(numpy.float32))");
        }
        if (fortran.group(1).equals("True")) {
            throw new ConvkitException(where + ": Fortran-ordered; save a C-ordered array"
                    + " (numpy.ascontiguousarray(x))");
        }
        long numel = 1;
        for (String d : shape.group(1).split(",")) {
            if (!d.isBlank()) {
                try {
                    numel = Math.multiplyExact(numel, Long.parseLong(d.trim()));
                } catch (NumberFormatException | ArithmeticException e) {
                    throw new ConvkitException(where + ": corrupt .npy shape (" + shape.group(1) + ")");
                }
            }
        }
        long data = bytes.length - start - (long) headerLen;
        if (numel < 0 || numel * 4 != data) {
            throw new ConvkitException(where + ": shape (" + shape.group(1) + ") needs " + numel * 4
                    + " bytes of data, the file has " + data + " (truncated or corrupt)");
        }
        try {
            return NDList.decode(manager, bytes).singletonOrThrow();
        } catch (RuntimeException e) {
            throw new ConvkitException(where + ": not readable (" + e.getMessage() + ")", e);
        }
    }

    /** Writes one array as {@code .npy}, atomically. */
    public static void write(Path file, NDArray array) throws IOException {
        // DJL encodes .npy only inside .npz (NDSerializer is not public): every .npz entry is a
        // complete .npy file, so encode one and keep its only entry
        byte[] npz = new NDList(array).encode(NDList.Encoding.NPZ);
        byte[] npy;
        try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(npz))) {
            zip.getNextEntry();
            npy = zip.readAllBytes();
        }
        AtomicFiles.write(file, out -> out.write(npy));
    }

    /** Writes several arrays as {@code .npz}, entries named by the arrays' names, atomically. */
    public static void writeAll(Path file, NDList arrays) throws IOException {
        AtomicFiles.write(file, out -> arrays.encode(out, NDList.Encoding.NPZ));
    }
}
