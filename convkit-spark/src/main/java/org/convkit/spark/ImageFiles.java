package org.convkit.spark;

import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Consumer;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.convkit.core.ConvkitException;
import org.convkit.data.Skipped;
import org.convkit.data.source.FileWalk;
import org.convkit.data.source.ImageExtensions;

/**
 * The image files a Spark job reads, listed on the driver through Hadoop's FileSystem (a local
 * folder, {@code hdfs://}, {@code s3a://} ... whatever Spark reads) by the same rule as {@code
 * convkit predict} ({@link FileWalk}: the extensions torchvision accepts, GIF not among them;
 * hidden files and folders left out; empty files left out) and with the same ids (the path below
 * the folder without the extension). The bytes are read later, by the tasks, a batch at a time.
 */
public final class ImageFiles {
    /** The columns of a listing: where each file is, its sample id, its size. */
    public static final StructType SCHEMA = new StructType()
            .add("path", DataTypes.StringType, false)
            .add("id", DataTypes.StringType, false)
            .add("length", DataTypes.LongType, false);

    /** Bytes one image file may have: what a Java array holds. */
    static final long MAX_BYTES = Integer.MAX_VALUE - 8;

    private ImageFiles() {}

    /**
     * What was found.
     *
     * @param images (path, id, length) per image, sorted by id
     * @param skipped files left out, with the reason
     * @param root what ids are relative to
     */
    public record Listing(List<Row> images, List<Skipped> skipped, String root) {}

    /**
     * The images a folder, a single file or a glob names.
     *
     * @param input a folder (searched recursively), an image file, or a glob ({@code
     *     /data/2024-*}, {@code s3a://bucket/photos/*&#47;*.jpg}); ids are relative to the folder, or
     *     to the glob's last folder before its first wildcard
     * @throws ConvkitException when nothing matches, or nothing that matches is an image
     */
    public static Listing list(String input, Configuration conf) {
        Path given = new Path(input);
        List<Row> images = new ArrayList<>();
        List<Skipped> skipped = new ArrayList<>();
        Path root;
        try {
            FileSystem fs = given.getFileSystem(conf);
            FileStatus[] matches = fs.globStatus(given);
            if (matches == null || matches.length == 0) {
                throw new ConvkitException("--input " + input + ": no such file or folder");
            }
            boolean glob = matches.length > 1 || !fs.makeQualified(given).equals(matches[0].getPath());
            root = glob ? fs.makeQualified(fixedPrefix(given)) : matches[0].isDirectory() ? matches[0].getPath()
                    : matches[0].getPath().getParent();
            for (FileStatus m : matches) {
                if (m.isDirectory()) {
                    forEachFile(fs, m.getPath(), f -> add(f, root, images, skipped));
                } else {
                    add(m, root, images, skipped);
                }
            }
        } catch (IOException e) {
            throw new ConvkitException("--input " + input + ": cannot list (" + e.getMessage() + ")", e);
        }
        if (images.isEmpty()) {
            throw new ConvkitException("no images found in " + input + " (accepted: " + String.join(" ", ImageExtensions.ACCEPTED)
                    + ")" + (skipped.isEmpty() ? "" : "; " + skipped.size() + " other file(s), e.g. " + skipped.get(0).file()
                    + ": " + skipped.get(0).reason()));
        }
        images.sort(Comparator.comparing((Row r) -> r.getString(1)));
        skipped.sort(Comparator.comparing(Skipped::id));
        return new Listing(images, skipped, root.toString());
    }

    /**
     * The listing as a DataFrame of (path, id, length), in {@code partitions} partitions of
     * consecutive ids.
     */
    public static Dataset<Row> frame(SparkSession spark, Listing listing, int partitions) {
        var rdd = JavaSparkContext.fromSparkContext(spark.sparkContext())
                .parallelize(listing.images(), Math.max(1, Math.min(partitions, listing.images().size())));
        return spark.createDataFrame(rdd, SCHEMA);
    }

    /**
     * The files below a folder, recursively. Hadoop's {@code listFiles} is right for HDFS and S3
     * (one flat listing per prefix on S3), but on the local file system it builds a {@code
     * LocatedFileStatus} per file, which copies the file's permission, owner and group, and
     * Hadoop reads those by running {@code stat} in a new process per file (without Hadoop's
     * native library, which Spark does not ship): most of a 10,000-image job's start on one
     * machine. A walk of {@code listStatus} reads only names, sizes and kinds.
     */
    private static void forEachFile(FileSystem fs, Path dir, Consumer<FileStatus> each) throws IOException {
        if (!"file".equals(fs.getScheme())) {
            RemoteIterator<LocatedFileStatus> it = fs.listFiles(dir, true);
            while (it.hasNext()) {
                each.accept(it.next());
            }
            return;
        }
        ArrayDeque<Path> folders = new ArrayDeque<>(List.of(dir));
        while (!folders.isEmpty()) {
            for (FileStatus s : fs.listStatus(folders.poll())) {
                if (s.isDirectory()) {
                    folders.add(s.getPath());
                } else {
                    each.accept(s);
                }
            }
        }
    }

    private static void add(FileStatus f, Path root, List<Row> images, List<Skipped> skipped) {
        String rel = relative(root, f.getPath());
        if (FileWalk.insideHiddenFolder(rel)) {
            return; // as the local walk: a hidden folder's files are not even listed as skipped
        }
        String reason = FileWalk.reason(f.getPath().getName(), f.getLen());
        if (reason == null && f.getLen() > MAX_BYTES) {
            reason = "too large to read (" + f.getLen() + " bytes)";
        }
        String id = FileWalk.id(rel);
        if (reason != null) {
            skipped.add(new Skipped("predict", id, f.getPath().toString(), reason));
        } else {
            images.add(RowFactory.create(f.getPath().toString(), id, f.getLen()));
        }
    }

    /** {@code file}'s path below {@code root}, '/'-separated. */
    private static String relative(Path root, Path file) {
        String r = root.toUri().getPath();
        String f = file.toUri().getPath();
        String prefix = r.endsWith("/") ? r : r + "/";
        return f.startsWith(prefix) ? f.substring(prefix.length()) : file.getName();
    }

    /** The part of a glob before its first wildcard, up to the last whole folder. */
    private static Path fixedPrefix(Path glob) {
        Path p = glob;
        while (p != null && hasWildcard(p.toUri().getPath())) {
            p = p.getParent();
        }
        return p == null ? new Path("/") : p;
    }

    private static boolean hasWildcard(String s) {
        return s.chars().anyMatch(c -> c == '*' || c == '?' || c == '[' || c == '{' || c == '\\');
    }

    /**
     * Reads files in a task through Hadoop's FileSystem (local paths as {@code file:} URIs, HDFS,
     * S3 ...), with the job's Hadoop configuration. Serializable: it travels with the task.
     */
    static final class Reader implements Serializable {
        private static final long serialVersionUID = 1L;
        private final org.apache.spark.broadcast.Broadcast<org.apache.spark.util.SerializableConfiguration> conf;

        Reader(SparkSession spark) {
            this.conf = JavaSparkContext.fromSparkContext(spark.sparkContext())
                    .broadcast(new org.apache.spark.util.SerializableConfiguration(spark.sparkContext().hadoopConfiguration()));
        }

        /** The file's bytes (one request: no size asked first, which on S3 would double the calls). */
        byte[] read(String path) throws IOException {
            Path p = new Path(path);
            FileSystem fs = p.getFileSystem(conf.value().value());
            try (InputStream in = fs.open(p)) {
                byte[] b = in.readNBytes((int) MAX_BYTES);
                if (b.length == MAX_BYTES && in.read() >= 0) {
                    throw new IOException("too large to read (over " + MAX_BYTES + " bytes)");
                }
                return b;
            }
        }
    }
}
