package org.convkit.spark;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.convkit.core.ConvkitException;
import org.convkit.data.ImageSource;
import org.convkit.data.Skipped;
import org.convkit.data.source.FileEntry;
import org.convkit.eval.CheckpointEvaluation;
import org.convkit.eval.Classifier;
import org.convkit.eval.EvalResult;
import org.convkit.eval.Metrics;

/**
 * {@code convkit eval} as a Spark job: the same plan ({@link CheckpointEvaluation#plan}: the data,
 * the split, the classes checked against the model), the split's images spread over partitions,
 * each partition counting its own {@link Metrics} and the driver merging them. Every image is
 * counted exactly once (each is in one partition; a retried task's counts replace the failed
 * attempt's, since its result is what the driver collects), so accuracy, top-5, the confusion
 * matrix and the kept mistakes equal {@code convkit eval}'s; the mean loss agrees to rounding.
 *
 * <p>The split's images must be files (an ImageFolder, label files): the driver lists them, the
 * tasks read them. Data stored as raw pixels (IDX, CIFAR binary) or shards is refused; evaluate
 * it with {@code convkit eval}.
 */
public final class SparkEvaluation {
    static final StructType SCHEMA = new StructType()
            .add("index", DataTypes.IntegerType, false)
            .add(ImageRows.PATH, DataTypes.StringType, false)
            .add(ImageRows.ID, DataTypes.StringType, false)
            .add(ImageRows.LABELS, DataTypes.createArrayType(DataTypes.IntegerType, false), false);

    private SparkEvaluation() {}

    /**
     * @param plan what to evaluate ({@link CheckpointEvaluation#plan})
     * @param model the plan's model, as the executors open it
     * @param partitions how many parts the split is cut into (at least 1)
     * @param keep confident mistakes to keep
     * @param counters what the tasks did, counted for the caller, or null
     */
    public static CheckpointEvaluation.Outcome run(SparkSession spark, CheckpointEvaluation.Plan plan, SparkModel model,
            int partitions, int keep, JobCounters counters) {
        List<Row> rows = rows(plan);
        var rdd = JavaSparkContext.fromSparkContext(spark.sparkContext())
                .parallelize(rows, Math.max(1, Math.min(partitions, rows.size())));
        Task task = new Task(model, plan.classes(), plan.heads(), plan.blank(), keep, plan.split(), ImageRows.of(SCHEMA),
                new ImageFiles.Reader(spark), counters);
        List<Part> parts = spark.createDataFrame(rdd, SCHEMA).mapPartitions(task, Encoders.javaSerialization(Part.class))
                .collectAsList();
        Metrics all = plan.metrics(keep);
        List<Skipped> skipped = new ArrayList<>();
        for (Part p : parts) {
            all.merge(p.metrics());
            skipped.addAll(p.skipped());
        }
        return plan.outcome(all.result(), skipped);
    }

    /**
     * Refuses, with {@link #entry}'s message, a plan whose split is not image files (raw pixels,
     * shards): what a caller checks before it starts a job or says that one has started.
     */
    public static void requireFiles(CheckpointEvaluation.Plan plan) {
        requireFiles(plan.source(), plan.dataName());
    }

    /** Refuses, with {@link #entry}'s message, a split that is not image files; {@code what} names it. */
    static void requireFiles(ImageSource source, String what) {
        if (source.size() > 0) {
            entry(source, 0, what); // a split is of one kind: its first sample says which
        }
    }

    /** The split's images as rows (index in the split, path, id, labels), in the split's order. */
    static List<Row> rows(CheckpointEvaluation.Plan plan) {
        List<Row> rows = new ArrayList<>(plan.source().size());
        for (int i = 0; i < plan.source().size(); i++) {
            FileEntry e = entry(plan.source(), i, plan.dataName());
            rows.add(RowFactory.create(i, e.file().toUri().toString(), e.id(),
                    ImageRows.seq(e.labels())));
        }
        return rows;
    }

    /** Sample {@code i} of a split made of files, or an error saying the split is not. */
    static FileEntry entry(ImageSource source, int i, String what) {
        if (source instanceof org.convkit.data.source.FileSource f) {
            return f.entries().get(i);
        }
        if (source instanceof org.convkit.data.source.SubsetSource sub && sub.base() instanceof org.convkit.data.source.FileSource f) {
            return f.entries().get(sub.baseIndex(i));
        }
        throw new ConvkitException(what + " is " + source.describe() + ": not image files, which the Spark job reads on"
                + " the executors (an ImageFolder or label files with images). Use convkit eval / data pack for it.");
    }

    /** What one partition counted. */
    public record Part(Metrics metrics, List<Skipped> skipped) implements Serializable {}

    private record Task(SparkModel model, List<String> classes, int heads, int blank, int keep, String split,
            ImageRows columns, ImageFiles.Reader reader, JobCounters counters) implements MapPartitionsFunction<Row, Part> {

        @Override
        public Iterator<Part> call(Iterator<Row> rows) {
            Metrics metrics = new Metrics(classes, heads, blank, keep);
            List<Skipped> skipped = new ArrayList<>();
            if (rows.hasNext()) {
                Classifier classifier = ExecutorModels.get(model, counters == null ? null : counters.modelLoads());
                Iterator<Integer> done = ImageRows.inBatches(rows, model.batchSize(), batch -> {
                    count(classifier, batch, metrics, skipped);
                    return List.of(batch.size());
                });
                while (done.hasNext()) {
                    done.next();
                }
            }
            return List.of(new Part(metrics, skipped)).iterator();
        }

        private void count(Classifier classifier, List<Row> batch, Metrics metrics, List<Skipped> skipped) {
            ImageRows.Read read = columns.read(batch, reader);
            Classifier.Scores scores = classifier.scores(read.samples());
            int n = scores.scored().length;
            int[] labels = new int[n * heads];
            String[] ids = new String[n];
            int[] indices = new int[n];
            for (int j = 0; j < n; j++) {
                Row r = batch.get(read.rows()[scores.scored()[j]]);
                System.arraycopy(columns.labels(r), 0, labels, j * heads, heads);
                ids[j] = columns.id(r);
                indices[j] = r.getInt(0);
            }
            if (n > 0) {
                metrics.add(scores.logits(), labels, ids, indices);
            }
            for (int i = 0; i < batch.size(); i++) {
                if (read.failures()[i] != null) {
                    skipped.add(skip(batch.get(i), read.failures()[i]));
                }
            }
            for (int s = 0; s < read.samples().size(); s++) {
                if (scores.problems()[s] != null) {
                    skipped.add(skip(batch.get(read.rows()[s]), scores.problems()[s].message()));
                }
            }
            if (counters != null) {
                counters.images().add(batch.size());
                counters.failures().add(batch.size() - n);
            }
        }

        private Skipped skip(Row r, String reason) {
            return new Skipped(split, columns.id(r), columns.location(r), reason);
        }
    }
}
