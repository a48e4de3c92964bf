package org.convkit.spark.cli;

import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.functions;
import org.convkit.cli.ForceArgs;
import org.convkit.core.ConvkitException;
import org.convkit.spark.ImageFiles;
import org.convkit.spark.SparkModel;
import org.convkit.spark.SparkPrediction;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "predict", mixinStandardHelpOptions = true,
        description = {"Predict the classes of a folder of images as a Spark job: the same files, ids, preprocessing and"
                + " answers as convkit predict, one row per image (path, id, label, probability, top_k, error), written as"
                + " Parquet or CSV part files. A bad image gets an error in its row; the job goes on.",
            "Example: convkit spark predict --master local[2] --checkpoint runs/cifar --input test_images/ --out preds",
            "         convkit spark predict --master spark://head:7077 --checkpoint /shared/runs/cifar"
                + " --input 'hdfs:///photos/2024-*' --out hdfs:///predictions/2024 --format csv"})
final class SparkPredictCommand implements Callable<Integer> {
    @Mixin
    SparkModelArgs model;

    @Mixin
    SparkArgs spark;

    @Option(names = "--input", required = true, paramLabel = "DIR|GLOB",
            description = "A folder of images (searched recursively), an image, or a glob; any file system Spark reads"
                    + " (a local path, hdfs://, s3a://). Which files are images: convkit predict's rule.")
    String input;

    @Option(names = "--out", required = true, paramLabel = "PATH", description = "The folder the part files go to.")
    String out;

    @Option(names = "--format", defaultValue = "parquet", paramLabel = "F",
            description = "parquet, or csv (top_k as JSON text) (default: ${DEFAULT-VALUE}).")
    String format;

    @Option(names = "--top-k", defaultValue = "5", paramLabel = "K", description = "Classes listed per image (default: ${DEFAULT-VALUE}).")
    int topK;

    @Mixin
    ForceArgs replace;

    @Override
    public Integer call() throws Exception {
        String f = format.trim().toLowerCase(Locale.ROOT);
        if (!f.equals("parquet") && !f.equals("csv")) {
            throw new ConvkitException("--format " + format + ": expected parquet or csv");
        }
        if (topK < 1) {
            throw new ConvkitException("--top-k " + topK + ": must be at least 1");
        }
        SparkModel m = model.sparkModel();
        try (SparkJob job = spark.start("predict")) {
            var hadoop = job.spark.sparkContext().hadoopConfiguration();
            Path target = new Path(out);
            if (!replace.force && target.getFileSystem(hadoop).exists(target)) {
                throw new ConvkitException("--out " + out + " already exists; choose another or add --force to replace it");
            }
            long start = System.nanoTime();
            ImageFiles.Listing listing = ImageFiles.list(input, hadoop);
            double listed = (System.nanoTime() - start) / 1e9;
            if (!listing.skipped().isEmpty()) {
                System.err.println("left out " + listing.skipped().size() + " file(s) that are not images by predict's rule,"
                        + " e.g. " + listing.skipped().get(0).file() + ": " + listing.skipped().get(0).reason());
            }
            int parts = spark.partitions(listing.images().size(), job.cores());
            System.err.println("predicting " + listing.images().size() + " image(s) under " + listing.root() + " in " + parts
                    + " partition(s) on " + job.spark.sparkContext().master() + " with " + m);
            Dataset<Row> predictions = SparkPrediction.predict(ImageFiles.frame(job.spark, listing, parts), m, topK, job.counters);
            if (f.equals("csv")) {
                predictions.withColumn("top_k", functions.to_json(functions.col("top_k")))
                        .write().mode(replace.force ? SaveMode.Overwrite : SaveMode.ErrorIfExists).option("header", "true").csv(out);
            } else {
                predictions.write().mode(replace.force ? SaveMode.Overwrite : SaveMode.ErrorIfExists).parquet(out);
            }
            // one output row per listed image (accumulators in a transformation may count a retried task twice)
            long n = listing.images().size();
            long failed = job.counters.failures().value();
            System.out.println("wrote " + n + " prediction(s) to " + out + " (" + f + ")"
                    + (failed > 0 ? "; " + failed + " image(s) could not be used: see the error column" : ""));
            double ran = job.clock.seconds();
            System.err.printf(Locale.ROOT, "listed in %.1f s; the job ran %.1f s, %.1f img/s%n", listed, ran, n / ran);
            System.err.println("model opened by " + job.counters.modelLoads().value() + " executor JVM(s) in this job"
                    + " (each keeps it for its later tasks)");
        }
        return 0;
    }
}
