package org.convkit.spark.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.convkit.cli.ByteSize;
import org.convkit.cli.ForceArgs;
import org.convkit.cli.DataPackCommand;
import org.convkit.cli.DataSourceArgs;
import org.convkit.data.Dataset;
import org.convkit.data.load.Datasets;
import org.convkit.data.shard.Packer;
import org.convkit.spark.SparkPacking;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "pack", mixinStandardHelpOptions = true,
        description = {"Pack a dataset of image files into record shards as a Spark job: one shard per partition, written"
                + " in parallel, in the format of convkit data pack (the same records; convkit data verify checks it).",
            "Example: convkit spark pack --master local[2] data/cifar10 --out data/cifar10-shards --shard-size 64MB"})
final class SparkPackCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "SRC", description = "A dataset of image files: a folder (ImageFolder) or label file.")
    String source;

    @Option(names = "--out", required = true, paramLabel = "DIR",
            description = "The shard folder to create, on storage the driver and the executors share.")
    Path out;

    @Option(names = "--shard-size", defaultValue = "128MB", converter = ByteSize.class, paramLabel = "SIZE",
            description = "About this many bytes of images per shard, which sets the partitions (default: ${DEFAULT-VALUE}).")
    long shardSize;

    @Mixin
    ForceArgs replace;

    @Mixin
    DataSourceArgs data;

    @Mixin
    SparkArgs spark;

    @Override
    public Integer call() {
        Packer.checkShardSize(shardSize);
        Dataset ds = Datasets.open(source, data.options(0.0));
        ds.warnings().forEach(w -> System.err.println("warning: " + w));
        SparkPacking.check(ds, out, replace.force); // raw pixels, shards, an existing --out: refused before Spark starts
        long total = ds.splitNames().stream().mapToLong(s -> ds.split(s).size()).sum();
        Packer.Result r;
        try (SparkJob job = spark.start("pack")) {
            r = SparkPacking.pack(job.spark, ds, source, out, split -> {
                if (spark.partitions != null) {
                    return spark.partitions(0, 1);
                }
                // the split's share of the source bytes, cut at --shard-size
                double bytes = total == 0 ? 0 : (double) ds.sourceBytes() * ds.split(split).size() / total;
                return (int) Math.max(1, Math.ceil(bytes / shardSize));
            }, replace.force);
        }
        DataPackCommand.print(ds, r);
        return 0;
    }
}
