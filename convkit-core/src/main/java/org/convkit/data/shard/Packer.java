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
        if (shardBytes < 1024) {
            throw new ConvkitException("--shard-size " + shardBytes + " bytes is too small; use e.g. 128MB");
        }
        if (Files.exists(out) && !replace) {
            throw new ConvkitException(out + " already exists; choose another --out or add --force to replace it");
        }
        Manifest[] made = new Manifest[1];
        try {
            // shards go into a fresh folder beside out; manifest.json, written last, marks it complete
            AtomicFiles.writeDirectory(out, Manifest.FILE, dir -> made[0] = write(ds, spec, dir, shardBytes, Math.max(1, threads)));
        } catch (IOException e) {
            throw new ConvkitException("packing into " + out + " failed: " + e.getMessage(), e);
        }
        return new Result(out, made[0]);
    }

    private static Manifest write(Dataset ds, String spec, Path dir, long shardBytes, int threads) throws IOException {
        Map<String, Manifest.SplitInfo> splits = new LinkedHashMap<>();
        List<Skipped> skipped = new ArrayList<>(ds.skipped());
        Shape shape = new Shape(ds);
        long total = 0;
        for (String split : ds.splitNames()) {
            ImageSource src = ds.split(split);
            int[] classCounts = new int[ds.classes().size()];
            List<Manifest.ShardInfo> shards = new ArrayList<>();
            ShardWriter w = null;
            int count = 0;
            try (Progress bar = new Progress("pack " + split, src.size(), "img")) {
                for (Prepared p : new InOrder<>(src.size(), threads, i -> prepareOne(src, i, split, shape))) {
                    bar.advance(1);
                    if (p.skipped() != null) {
                        skipped.add(p.skipped());
                        continue;
                    }
                    if (w != null && w.bytes() >= shardBytes) {
                        total += finish(w, shards);
                        w = null;
                    }
                    if (w == null) {
                        w = new ShardWriter(dir.resolve(String.format("%s-%05d%s", split, shards.size(), ShardFormat.EXTENSION)), ds.heads());
                    }
                    w.write(p.id(), p.labels(), p.image());
                    count++;
                    if (p.labels().length > 0 && p.labels()[0] < classCounts.length) {
                        classCounts[p.labels()[0]]++;
                    }
                }
                if (w != null) {
                    total += finish(w, shards);
                    w = null;
                }
            } finally {
                if (w != null) {
                    w.abandon();
                }
            }
            splits.put(split, new Manifest.SplitInfo(count, classCounts, shards));
        }
        Manifest m = new Manifest(Manifest.FORMAT, 1, ds.name(), spec, ds.classes(), ds.heads(), shape.channels(), shape.width(),
                shape.height(), splits, ds.sourceBytes(), total, skipped);
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
            byte[] image = s.encoded() != null ? checked(s.encoded(), shape) : Png.encode(shape.raw(s.pixels()));
            return new Prepared(s.id(), s.labels(), image, null);
        } catch (IOException e) {
            return new Prepared(null, null, null, new Skipped(split, s.id(), src.location(i), e.getMessage()));
        }
    }

    /** Closes a shard and records it; returns its size. */
    private static long finish(ShardWriter w, List<Manifest.ShardInfo> shards) throws IOException {
        w.close();
        shards.add(new Manifest.ShardInfo(w.file().getFileName().toString(), w.count(), w.bytes()));
        return w.bytes();
    }

    /** Encoded bytes are stored as they came, once their header says they are an image. */
    private static byte[] checked(byte[] encoded, Shape shape) throws IOException {
        ImageHeader info = ImageProbe.probe(encoded);
        shape.see(info.channels(), info.width(), info.height());
        return encoded;
    }

    /** Channels and size shared by every image, when they are. */
    private static final class Shape {
        private Integer channels;
        private Integer width;
        private Integer height;
        private boolean mixedC;
        private boolean mixedS;

        Shape(Dataset ds) {
            channels = ds.channels();
            width = ds.width();
            height = ds.height();
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

        synchronized Integer channels() {
            return mixedC ? null : channels;
        }

        synchronized Integer width() {
            return mixedS ? null : width;
        }

        synchronized Integer height() {
            return mixedS ? null : height;
        }
    }
}
