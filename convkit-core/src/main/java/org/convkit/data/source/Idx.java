package org.convkit.data.source;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;
import org.convkit.core.ConvkitException;

/**
 * IDX files, the format of MNIST and Fashion-MNIST ({@code train-images-idx3-ubyte[.gz]} and
 * friends): a header (two zero bytes, a type byte, the number of dimensions, then each dimension
 * as a big-endian int32) followed by the values. Headers are parsed as the file streams in
 * (gzipped or not) and every size is checked against the header, so a truncated download or a
 * wrong file fails with its name and the numbers that disagree.
 */
public final class Idx {
    private static final int UBYTE = 0x08;
    private static final Pattern NAME =
            Pattern.compile("(.*?)(train|t10k|test)-(images|labels)[-.]idx([13])-ubyte(\\.gz)?");

    private Idx() {}

    /** One split's pair of files. */
    public record Pair(Path images, Path labels) {}

    /** The IDX files of a folder, by split ("train", "test"); empty when there are none. */
    public static Map<String, Pair> find(Path dir) {
        Map<String, Path[]> found = new TreeMap<>();
        if (!Files.isDirectory(dir)) {
            return Map.of();
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                Matcher m = NAME.matcher(p.getFileName().toString());
                if (!m.matches() || !Files.isRegularFile(p)) {
                    continue;
                }
                String split = m.group(2).equals("train") ? "train" : "test";
                int slot = m.group(3).equals("images") ? 0 : 1;
                Path[] pair = found.computeIfAbsent(split, k -> new Path[2]);
                // both foo and foo.gz present: the uncompressed one reads faster
                if (pair[slot] == null || m.group(5) == null) {
                    pair[slot] = p;
                }
            }
        } catch (IOException e) {
            throw new ConvkitException("cannot list " + dir + ": " + e.getMessage(), e);
        }
        Map<String, Pair> out = new TreeMap<>();
        for (Map.Entry<String, Path[]> e : found.entrySet()) {
            Path[] p = e.getValue();
            if (p[0] == null || p[1] == null) {
                Path have = p[0] != null ? p[0] : p[1];
                throw new ConvkitException(have + " has no matching " + (p[0] == null ? "images" : "labels")
                        + " file in " + dir + " (IDX data comes in pairs: " + e.getKey() + "-images-idx3-ubyte[.gz] and "
                        + e.getKey() + "-labels-idx1-ubyte[.gz])");
            }
            out.put(e.getKey(), new Pair(p[0], p[1]));
        }
        return out;
    }

    /**
     * Reads a pair of IDX files.
     *
     * @param classes the class names; labels outside 0..size-1 are skipped and listed. {@code null}
     *     = "0".."max label"
     * @param split "train" or "test": ids are "train-00042"
     */
    public static RawSplit read(Pair pair, List<String> classes, String split) {
        Values images = values(pair.images(), 3);
        Values labelValues = values(pair.labels(), 1);
        Header ih = images.header();
        Header lh = labelValues.header();
        byte[] pixels = images.data();
        byte[] raw = labelValues.data();
        if (ih.dims[0] != lh.dims[0]) {
            throw new ConvkitException(pair.images() + " holds " + ih.dims[0] + " images but " + pair.labels() + " holds "
                    + lh.dims[0] + " labels: the two files are not a pair (re-download both)");
        }
        int n = ih.dims[0];
        int[] labels = new int[n];
        int max = 0;
        for (int i = 0; i < n; i++) {
            labels[i] = raw[i] & 0xff;
            max = Math.max(max, labels[i]);
        }
        List<String> cls = classes != null ? classes : digits(max + 1);
        PixelArraySource all = new PixelArraySource(
                pixels, n, ih.dims[2], ih.dims[1], 1, labels, 1, cls, split, "IDX " + pair.images());
        long bytes = size(pair.images()) + size(pair.labels());
        return RawSplit.keepLabeled(all, split, pair.labels() + " item", bytes);
    }

    /**
     * The class names the labels of {@code pairs} give: "0".."largest label" over all of them, so
     * every split gets the same list (a test split without the last class still has it). Reads
     * only the labels files.
     */
    public static List<String> labelClasses(Collection<Pair> pairs) {
        int max = 0;
        for (Pair p : pairs) {
            for (byte b : values(p.labels(), 1).data()) {
                max = Math.max(max, b & 0xff);
            }
        }
        return digits(max + 1);
    }

    /** "0", "1", ... for datasets whose labels are their names. */
    public static List<String> digits(int n) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(Integer.toString(i));
        }
        return out;
    }

    private record Header(int[] dims, long count) {}

    private record Values(Header header, byte[] data) {}

    /** Header and values of one IDX file with {@code dims} dimensions. */
    private static Values values(Path file, int dims) {
        try (DataInputStream in = open(file)) {
            Header h = header(in, file, dims);
            return new Values(h, body(in, file, h));
        } catch (IOException e) {
            throw unreadable(file, e);
        }
    }

    private static DataInputStream open(Path file) throws IOException {
        InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        raw.mark(2);
        int b0 = raw.read();
        int b1 = raw.read();
        raw.reset();
        // gzip by its magic number, not by its name: renamed files happen
        if (b0 == 0x1f && b1 == 0x8b) {
            raw = new BufferedInputStream(new GZIPInputStream(raw, 1 << 16), 1 << 16);
        }
        return new DataInputStream(raw);
    }

    private static Header header(DataInputStream in, Path file, int wantDims) throws IOException {
        int z0 = in.read();
        int z1 = in.read();
        int type = in.read();
        int ndims = in.read();
        if (ndims < 0) {
            throw new ConvkitException(file + ": too short for an IDX header (needs 4 bytes, then the dimensions)");
        }
        if (z0 != 0 || z1 != 0) {
            throw new ConvkitException(String.format(
                    "%s: not an IDX file (starts with %02x %02x, IDX files start with 00 00). Is it the right file?", file, z0, z1));
        }
        if (type != UBYTE) {
            throw new ConvkitException(String.format(
                    "%s: IDX value type 0x%02x is not supported; image datasets use unsigned bytes (0x08)", file, type));
        }
        if (ndims != wantDims) {
            throw new ConvkitException(file + ": IDX file has " + ndims + " dimension(s), expected " + wantDims
                    + (wantDims == 3 ? " (count, rows, columns) for images" : " (count) for labels")
                    + ". Are the images and labels files swapped?");
        }
        int[] dims = new int[ndims];
        long count = 1;
        for (int i = 0; i < ndims; i++) {
            dims[i] = in.readInt();
            if (dims[i] <= 0) {
                throw new ConvkitException(file + ": IDX header dimension " + i + " is " + dims[i] + ", must be positive");
            }
            count *= dims[i];
        }
        if (count > Integer.MAX_VALUE - 16) {
            throw new ConvkitException(file + ": IDX header announces " + count + " values, more than convkit can hold in memory");
        }
        return new Header(dims, count);
    }

    private static byte[] body(DataInputStream in, Path file, Header h) throws IOException {
        byte[] data = in.readNBytes((int) h.count);
        if (data.length < h.count) {
            throw new ConvkitException(file + ": truncated. The header announces " + describe(h) + " = " + h.count
                    + " bytes of values, the file holds " + data.length + ". Download it again.");
        }
        if (in.read() != -1) {
            throw new ConvkitException(file + ": more data than the header announces (" + describe(h)
                    + "). The header or the file is wrong; download it again.");
        }
        return data;
    }

    private static String describe(Header h) {
        return h.dims.length == 3 ? h.dims[0] + " images of " + h.dims[1] + "x" + h.dims[2] : h.dims[0] + " labels";
    }

    private static ConvkitException unreadable(Path file, IOException e) {
        if (e instanceof ZipException || e instanceof EOFException) {
            return new ConvkitException(file + ": damaged (" + e.getMessage() + "); the gzip stream or the header is cut short."
                    + " Download it again.", e);
        }
        return new ConvkitException(file + ": cannot read (" + e.getMessage() + ")", e);
    }

    private static long size(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            return 0;
        }
    }
}
