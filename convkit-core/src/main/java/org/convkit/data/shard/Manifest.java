package org.convkit.data.shard;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.convkit.core.AtomicFiles;
import org.convkit.core.ConvkitException;
import org.convkit.core.Json;
import org.convkit.data.Skipped;

/**
 * {@code manifest.json} of a shard folder: what the shards hold and how they were made.
 *
 * @param format always "convkit-shards"
 * @param version of the record format (1)
 * @param name the dataset's short name
 * @param source the spec it was packed from
 * @param classes class names, index = label
 * @param heads K, labels per record
 * @param channels 1 or 3 when every image has it, else null
 * @param width native width when every image has it, else null
 * @param height native height when every image has it, else null
 * @param splits per split: record count, class counts, shards
 * @param sourceBytes size of the source files
 * @param shardBytes size of all shard files
 * @param skipped samples that were not packed, with reasons
 */
public record Manifest(
        String format,
        int version,
        String name,
        String source,
        List<String> classes,
        int heads,
        Integer channels,
        Integer width,
        Integer height,
        Map<String, SplitInfo> splits,
        long sourceBytes,
        long shardBytes,
        List<Skipped> skipped) {

    public static final String FILE = "manifest.json";
    public static final String FORMAT = "convkit-shards";

    /**
     * @param count records in the split
     * @param classCounts records per class of the first head
     * @param shards the split's files, in order
     */
    public record SplitInfo(int count, int[] classCounts, List<ShardInfo> shards) {
        /** A split made of these shards, in order. */
        public static SplitInfo of(List<ShardWriter.Written> shards, int classes) {
            int count = 0;
            int[] perClass = new int[classes];
            List<ShardInfo> infos = new java.util.ArrayList<>();
            for (ShardWriter.Written w : shards) {
                count += w.info().count();
                for (int c = 0; c < Math.min(classes, w.classCounts().length); c++) {
                    perClass[c] += w.classCounts()[c];
                }
                infos.add(w.info());
            }
            return new SplitInfo(count, perClass, infos);
        }
    }

    /** One shard file, its record count and size. */
    public record ShardInfo(String file, int count, long bytes) implements java.io.Serializable {}

    /** True when {@code dir} holds a manifest.json. */
    public static boolean present(Path dir) {
        return Files.isRegularFile(dir.resolve(FILE));
    }

    /** @throws ConvkitException when it is missing or not ours */
    public static Manifest read(Path dir) {
        Path f = dir.resolve(FILE);
        Manifest m;
        try {
            m = Json.mapper().readValue(f.toFile(), Manifest.class);
        } catch (IOException e) {
            throw new ConvkitException(f + ": not a readable shard manifest (" + e.getMessage() + "). Pack again with `convkit data pack`.", e);
        }
        if (!FORMAT.equals(m.format()) || m.version() != 1) {
            throw new ConvkitException(f + ": format " + m.format() + " v" + m.version() + ", expected " + FORMAT + " v1");
        }
        return m;
    }

    /** Writes manifest.json into {@code dir} (fsynced); written last, it marks a shard folder complete. */
    public void write(Path dir) throws IOException {
        AtomicFiles.writeSynced(dir.resolve(FILE), out -> Json.pretty().writeValue(out, this));
    }
}
