package org.convkit.spark;

import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.convkit.core.AtomicFiles;
import org.convkit.core.ConvkitException;
import org.convkit.data.Dataset;
import org.convkit.data.ImageSource;
import org.convkit.data.Sample;
import org.convkit.data.Skipped;
import org.convkit.data.source.FileEntry;
import org.convkit.data.shard.Manifest;
import org.convkit.data.shard.Packer;
import org.convkit.data.shard.ShardWriter;

/**
 * {@code convkit data pack} as a Spark job: each split's files cut into partitions of consecutive
 * samples, each partition written by its task into one shard ({@link ShardWriter}, the format
 * {@code data pack} writes and {@code data verify} checks), then the driver writes the manifest.
 * The records, their order and what is refused are {@code data pack}'s ({@link Packer#stored}:
 * bytes as they came once their header says they are an image); only the cut into shards differs
 * (one per partition rather than one per {@code --shard-size}).
 *
 * <p>The output folder must be on storage the executors and the driver share (one machine, or a
 * mount every machine has at the same path): it is built under a temporary name beside the target
 * and renamed when complete, as {@code data pack} does. A task writes its shard under a name of
 * its own attempt and renames it when complete, so a retried or speculative task never leaves half
 * a shard. The dataset must be image files (see {@link SparkEvaluation#entry}).
 */
public final class SparkPacking {
    private static final StructType SCHEMA = new StructType()
            .add(ImageRows.PATH, DataTypes.StringType, false)
            .add(ImageRows.ID, DataTypes.StringType, false)
            .add(ImageRows.LABELS, DataTypes.createArrayType(DataTypes.IntegerType, false), false);

    private SparkPacking() {}

    /**
     * @param ds the dataset, opened on the driver (its files are read by the tasks)
     * @param spec what it was opened from, recorded in the manifest
     * @param out the shard folder to create
     * @param partitions per split, how many shards its files are cut into (capped at the split's size)
     * @param replace replace {@code out} when it exists (else that is an error)
     */
    public static Packer.Result pack(SparkSession spark, Dataset ds, String spec, Path out,
            java.util.function.ToIntFunction<String> partitions, boolean replace) {
        check(ds, out, replace);
        List<String> splitNames = ds.splitNames();
        List<List<Row>> rows = new ArrayList<>();
        for (String split : splitNames) {
            rows.add(rows(ds.split(split), ds.name() + " " + split)); // every split checked before any work
        }
        ImageFiles.Reader reader = new ImageFiles.Reader(spark);
        Manifest[] made = new Manifest[1];
        try {
            AtomicFiles.writeDirectory(out, Manifest.FILE, dir -> {
                Map<String, Manifest.SplitInfo> splits = new LinkedHashMap<>();
                List<Skipped> skipped = new ArrayList<>(ds.skipped());
                Packer.Shape shape = new Packer.Shape(ds.channels(), ds.width(), ds.height());
                for (int s = 0; s < splitNames.size(); s++) {
                    String split = splitNames.get(s);
                    List<Row> splitRows = rows.get(s);
                    int n = Math.max(1, Math.min(partitions.applyAsInt(split), splitRows.size()));
                    var rdd = JavaSparkContext.fromSparkContext(spark.sparkContext()).parallelize(splitRows, n);
                    Task task = new Task(dir.toAbsolutePath().toString(), split, ds.heads(), ds.classes().size(),
                            new Integer[] {ds.channels(), ds.width(), ds.height()}, ImageRows.of(SCHEMA), reader);
                    List<Part> parts = spark.createDataFrame(rdd, SCHEMA)
                            .mapPartitions(task, Encoders.javaSerialization(Part.class)).collectAsList();
                    List<ShardWriter.Written> shards = new ArrayList<>();
                    for (Part p : parts) {
                        skipped.addAll(p.skipped());
                        shape.merge(p.shape());
                        if (p.written() != null) {
                            shards.add(renumber(dir, split, shards.size(), p.written()));
                        }
                    }
                    splits.put(split, Manifest.SplitInfo.of(shards, ds.classes().size()));
                }
                made[0] = Packer.manifest(ds, spec, shape, splits, skipped);
                made[0].write(dir);
            });
        } catch (IOException e) {
            throw new ConvkitException("packing into " + out + " failed: " + e.getMessage(), e);
        }
        return new Packer.Result(out, made[0]);
    }

    /**
     * Refuses what {@link #pack} would refuse before it does any work: an existing {@code out}
     * without {@code replace}, and a split that is not image files (raw pixels, shards). What a
     * caller checks before it starts a Spark job.
     */
    public static void check(Dataset ds, Path out, boolean replace) {
        Packer.checkOutput(out, replace);
        for (String split : ds.splitNames()) {
            SparkEvaluation.requireFiles(ds.split(split), ds.name() + " " + split);
        }
    }

    /** Shards are numbered as data pack numbers them (0, 1, 2 ...) even when a partition packed nothing. */
    private static ShardWriter.Written renumber(Path dir, String split, int n, ShardWriter.Written w) throws IOException {
        String name = ShardWriter.name(split, n);
        if (!name.equals(w.info().file())) {
            Files.move(dir.resolve(w.info().file()), dir.resolve(name), StandardCopyOption.ATOMIC_MOVE);
        }
        return new ShardWriter.Written(new Manifest.ShardInfo(name, w.info().count(), w.info().bytes()), w.classCounts());
    }

    private static List<Row> rows(ImageSource source, String what) {
        List<Row> rows = new ArrayList<>(source.size());
        for (int i = 0; i < source.size(); i++) {
            FileEntry e = SparkEvaluation.entry(source, i, what);
            rows.add(RowFactory.create(e.file().toUri().toString(), e.id(), ImageRows.seq(e.labels())));
        }
        return rows;
    }

    /**
     * What one partition packed.
     *
     * @param written its shard, or null when none of its samples could be packed
     * @param skipped its samples that were not packed, with the reason
     * @param shape the channels and size its images share
     */
    public record Part(ShardWriter.Written written, List<Skipped> skipped, Packer.Shape shape) implements Serializable {}

    /** One partition's shard; {@code known} is what the dataset says of every image's channels, width, height. */
    private record Task(String dir, String split, int heads, int classes, Integer[] known, ImageRows columns,
            ImageFiles.Reader reader) implements MapPartitionsFunction<Row, Part> {

        @Override
        public Iterator<Part> call(Iterator<Row> rows) throws IOException {
            TaskContext ctx = TaskContext.get();
            Path folder = Path.of(dir);
            Path shard = folder.resolve(ShardWriter.name(split, ctx.partitionId()));
            // this attempt's own file: a retried or speculative attempt never writes into another's
            Path mine = folder.resolve(shard.getFileName() + ".attempt-" + ctx.taskAttemptId());
            List<Skipped> skipped = new ArrayList<>();
            Packer.Shape shape = new Packer.Shape(known[0], known[1], known[2]);
            ShardWriter w = new ShardWriter(mine, heads, classes);
            try {
                while (rows.hasNext()) {
                    Row r = rows.next();
                    ImageRows.Read read = columns.read(List.of(r), reader);
                    if (read.samples().isEmpty()) {
                        skipped.add(new Skipped(split, columns.id(r), columns.location(r), read.failures()[0]));
                        continue;
                    }
                    Sample s = read.samples().get(0);
                    try {
                        w.write(s.id(), s.labels(), Packer.stored(s, shape));
                    } catch (IOException e) {
                        skipped.add(new Skipped(split, s.id(), columns.location(r), e.getMessage()));
                    }
                }
                ShardWriter.Written written = w.finish();
                if (written.info().count() == 0) {
                    Files.delete(mine);
                    return List.of(new Part(null, skipped, shape)).iterator();
                }
                Files.move(mine, shard, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                ShardWriter.Written named = new ShardWriter.Written(
                        new Manifest.ShardInfo(shard.getFileName().toString(), written.info().count(), written.info().bytes()),
                        written.classCounts());
                return List.of(new Part(named, skipped, shape)).iterator();
            } catch (IOException | RuntimeException e) {
                w.abandon();
                Files.deleteIfExists(mine);
                throw e;
            }
        }
    }
}
