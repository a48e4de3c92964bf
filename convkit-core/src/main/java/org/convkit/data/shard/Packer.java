package org.convkit.data.shard;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.convkit.core.AtomicFiles;
import org.convkit.core.ConvkitException;
import org.convkit.core.InOrder;
import org.convkit.core.Progress;
import org.convkit.data.Dataset;
import org.convkit.data.ImageSource;
import org.convkit.data.Sample;
import org.convkit.data.Skipped;
import org.convkit.data.image.ImageHeader;
import org.convkit.data.image.Png;
import org.convkit.data.inspect.ImageProbe;

/**
 * Writes a dataset into a shard folder: per split, shard files of about {@code shardBytes} each
 * holding the encoded images as they came (raw-pixel datasets as lossless PNG), plus
 * manifest.json. The folder is built under a temporary name next to {@code out} and renamed when
 * complete ({@link AtomicFiles#writeDirectory}), so a crash never leaves a half-packed folder
 * under the real name. Files that are not
 * images (checked from their header, not decoded) are skipped and listed in the manifest.
 */
public final class Packer {
    private Packer() {}

    /** What was written. */
    public record Result(Path dir, Manifest manifest) {
        /** Shard bytes / source bytes. */
        public double ratio() {
            return manifest.sourceBytes() > 0 ? (double) manifest.shardBytes() / manifest.sourceBytes() : Double.NaN;
        }
    }

    /**
     * @param spec what the dataset was opened from, recorded in the manifest
     * @param shardBytes start a new shard once one reaches this size
     * @param threads threads that read and check or encode samples (the output is the same for any count)
     * @param replace replace {@code out} when it exists (else that is an error)
     */
    public static Result pack(Dataset ds, String spec, Path out, long shardBytes, int threads, boolean replace) {
        checkShardSize(shardBytes);
        checkOutput(out, replace);
        Manifest[] made = new Manifest[1];
        try {
            // shards go into a fresh folder beside out; manifest.json, written last, marks it complete
            AtomicFiles.writeDirectory(out, Manifest.FILE, dir -> made[0] = write(ds, spec, dir, shardBytes, Math.max(1, threads)));
        } catch (IOException e) {
            throw new ConvkitException("packing into " + out + " failed: " + e.getMessage(), e);
        }
        return new Result(out, made[0]);
    }

    /** Refuses a shard size too small to be meant. */
    public static void checkShardSize(long shardBytes) {
        if (shardBytes < 1024) {
            throw new ConvkitException("--shard-size " + shardBytes + " bytes is too small; use e.g. 128MB");
        }
    }

    /** Refuses an existing {@code out} unless it may be replaced: before any work is done. */
    public static void checkOutput(Path out, boolean replace) {
        if (Files.exists(out) && !replace) {
            throw new ConvkitException(out + " already exists; choose another --out or add --force to replace it");
        }
    }

    /**
     * The manifest of a packed dataset.
     *
     * @param spec what it was opened from
     * @param shape the channels and size the packed images share
     * @param splits per split, its shards
     * @param skipped what was not packed: the dataset's own left-out files, then the samples refused
     */
    public static Manifest manifest(Dataset ds, String spec, Shape shape, Map<String, Manifest.SplitInfo> splits,
            List<Skipped> skipped) {
        long total = 0;
        for (Manifest.SplitInfo s : splits.values()) {
            total += s.shards().stream().mapToLong(Manifest.ShardInfo::bytes).sum();
        }
        return new Manifest(Manifest.FORMAT, 1, ds.name(), spec, ds.classes(), ds.heads(), shape.channels(), shape.width(),
                shape.height(), splits, ds.sourceBytes(), total, skipped);
    }

    private static Manifest write(Dataset ds, String spec, Path dir, long shardBytes, int threads) throws IOException {
        Map<String, Manifest.SplitInfo> splits = new LinkedHashMap<>();
        List<Skipped> skipped = new ArrayList<>(ds.skipped());
        Shape shape = new Shape(ds.channels(), ds.width(), ds.height());
        for (String split : ds.splitNames()) {
            ImageSource src = ds.split(split);
            List<ShardWriter.Written> shards = new ArrayList<>();
            ShardWriter w = null;
            try (Progress bar = new Progress("pack " + split, src.size(), "img")) {
                for (Prepared p : new InOrder<>(src.size(), threads, i -> prepareOne(src, i, split, shape))) {
                    bar.advance(1);
                    if (p.skipped() != null) {
                        skipped.add(p.skipped());
                        continue;
                    }
                    if (w != null && w.bytes() >= shardBytes) {
                        shards.add(w.finish());
                        w = null;
                    }
                    if (w == null) {
                        w = new ShardWriter(dir.resolve(ShardWriter.name(split, shards.size())), ds.heads(), ds.classes().size());
                    }
                    w.write(p.id(), p.labels(), p.image());
                }
                if (w != null) {
                    shards.add(w.finish());
                    w = null;
                }
            } finally {
                if (w != null) {
                    w.abandon();
                }
            }
            splits.put(split, Manifest.SplitInfo.of(shards, ds.classes().size()));
        }
        Manifest m = manifest(ds, spec, shape, splits, skipped);
        m.write(dir);
        return m;
    }

    /** A sample ready to write, or the reason it is not. */
    private record Prepared(String id, int[] labels, byte[] image, Skipped skipped) {}

    private static Prepared prepareOne(ImageSource src, int i, String split, Shape shape) {
        Sample s;
        try {
            s = src.get(i);
        } catch (IOException e) {
            return new Prepared(null, null, null, new Skipped(split, src.location(i), src.location(i), e.getMessage()));
        }
        try {
            return new Prepared(s.id(), s.labels(), stored(s, shape), null);
        } catch (IOException e) {
            return new Prepared(null, null, null, new Skipped(split, s.id(), src.location(i), e.getMessage()));
        }
    }

    /**
     * The image bytes a record stores for a sample: encoded bytes as they came once their header
     * says they are an image (not decoded), raw pixels as lossless PNG. The image's channels and
     * size go to {@code shape}.
     *
     * @throws IOException saying why the sample is not packed (not an image, truncated ...)
     */
    public static byte[] stored(Sample s, Shape shape) throws IOException {
        if (s.encoded() == null) {
            return Png.encode(shape.raw(s.pixels()));
        }
        ImageHeader info = ImageProbe.probe(s.encoded());
        shape.see(info.channels(), info.width(), info.height());
        return s.encoded();
    }

    /**
     * The channels and size shared by every image packed, when they are (the manifest records
     * them; a mixed dataset records null). Thread-safe; parts packed apart (Spark partitions) are
     * {@link #merge}d.
     */
    public static final class Shape implements java.io.Serializable {
        private static final long serialVersionUID = 1L;
        private Integer channels;
        private Integer width;
        private Integer height;
        private boolean mixedC;
        private boolean mixedS;

        /** What the dataset says of all its images, each null when unknown. */
        public Shape(Integer channels, Integer width, Integer height) {
            this.channels = channels;
            this.width = width;
            this.height = height;
        }

        synchronized org.convkit.data.Image raw(org.convkit.data.Image img) {
            see(img.channels(), img.width(), img.height());
            return img;
        }

        synchronized void see(int c, int w, int h) {
            if (c <= 0 || (channels != null && channels != c)) {
                mixedC = true;
            } else {
                channels = c;
            }
            if (w <= 0 || (width != null && (width != w || height != h))) {
                mixedS = true;
            } else {
                width = w;
                height = h;
            }
        }

        /** Adds what another part saw. */
        public synchronized void merge(Shape other) {
            Integer c;
            Integer w;
            Integer h;
            boolean mc;
            boolean ms;
            synchronized (other) {
                c = other.channels;
                w = other.width;
                h = other.height;
                mc = other.mixedC;
                ms = other.mixedS;
            }
            if (mc || (c != null && channels != null && !channels.equals(c))) {
                mixedC = true;
            } else if (c != null) {
                channels = c;
            }
            if (ms || (w != null && width != null && (!width.equals(w) || !height.equals(h)))) {
                mixedS = true;
            } else if (w != null) {
                width = w;
                height = h;
            }
        }

        public synchronized Integer channels() {
            return mixedC ? null : channels;
        }

        public synchronized Integer width() {
            return mixedS ? null : width;
        }

        public synchronized Integer height() {
            return mixedS ? null : height;
        }
    }
}
