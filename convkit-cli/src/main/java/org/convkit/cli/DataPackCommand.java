package org.convkit.cli;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.convkit.data.Dataset;
import org.convkit.data.load.Datasets;
import org.convkit.data.Skipped;
import org.convkit.data.shard.Manifest;
import org.convkit.data.shard.Packer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "pack", mixinStandardHelpOptions = true,
        description = {"Pack a dataset into record shards: encoded images as they came (raw-pixel datasets as lossless PNG),"
                + " labels, a CRC32C per record, an index per shard and manifest.json. Written atomically."})
public final class DataPackCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "SRC", description = "A dataset folder, label file, or name (fashion-mnist, mnist, cifar10).")
    String source;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "The shard folder to create.")
    Path out;

    @Option(names = "--shard-size", defaultValue = "128MB", converter = ByteSize.class, paramLabel = "SIZE",
            description = "Start a new shard file after this many bytes (default: ${DEFAULT-VALUE}).")
    long shardSize;

    @Option(names = "--threads", defaultValue = "0", description = "Threads reading and checking/encoding images; 0 = one per core.")
    int threads;

    @Mixin
    ForceArgs replace;

    @Mixin
    DataSourceArgs data;

    @Override
    public Integer call() {
        // packing keeps the splits on disk as they are unless --valid-split is given
        Dataset ds = Datasets.open(source, data.options(0.0));
        ds.warnings().forEach(w -> System.err.println("warning: " + w));
        int t = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
        Packer.Result r = Packer.pack(ds, source, out, shardSize, t, replace.force);
        print(ds, r);
        return 0;
    }

    /** Prints what was packed as {@code data pack} does (also {@code convkit spark pack}'s). */
    public static void print(Dataset ds, Packer.Result r) {
        Manifest m = r.manifest();
        System.out.println("packed " + ds.name() + " into " + r.dir());
        for (var e : m.splits().entrySet()) {
            System.out.printf(Locale.ROOT, "  %-5s %7d records in %d shard(s)%n", e.getKey(), e.getValue().count(), e.getValue().shards().size());
        }
        System.out.printf(Locale.ROOT, "shards %.1f MB / source %.1f MB = ratio %.2f%n", m.shardBytes() / 1e6, m.sourceBytes() / 1e6, r.ratio());
        if (!m.skipped().isEmpty()) {
            System.out.println(m.skipped().size() + " sample(s) not packed (listed in " + r.dir().resolve(Manifest.FILE) + "):");
            m.skipped().stream().limit(10).forEach(s -> System.out.println("  " + line(s)));
            if (m.skipped().size() > 10) {
                System.out.println("  ...");
            }
        }
    }

    static String line(Skipped s) {
        return s.split() + " " + s.file() + ": " + s.reason();
    }
}
