package org.convkit.spark;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.convkit.eval.Classifier;
import org.convkit.eval.ImagePrediction;
import org.convkit.eval.Scored;

/**
 * Batch prediction as a Spark job: a DataFrame of images in, a DataFrame of predictions out, one
 * row per image, computed with {@code mapPartitions}.
 *
 * <p>The images: any DataFrame with a string column {@code path} and either a binary column
 * {@code content} (Spark's {@code binaryFile} source gives exactly these, or any table of image
 * bytes) or none, in which case each task reads the files at {@code path} itself (a listing from
 * {@link ImageFiles}, or a table of paths). An {@code id} column, when present, names the images
 * (as {@code convkit predict}'s CSV does); else the path does.
 *
 * <pre>
 *   Dataset&lt;Row&gt; images = spark.read().format("binaryFile").load("hdfs:///photos/2024");
 *   Dataset&lt;Row&gt; out = SparkPrediction.predict(images, SparkModel.checkpoint(Path.of("runs/cifar")), 5);
 *   out.write().parquet("hdfs:///predictions/2024");
 * </pre>
 *
 * <p>The result keeps every input column except the bytes and adds {@code label} (the most
 * probable class; for multi-head models the joined sequence, as {@code predict} writes it), {@code
 * probability}, {@code top_k} (the k most probable classes with their probabilities, as an array
 * of (label, probability); for a model with K heads, an array of K such arrays, one per position)
 * and {@code error}: null for a prediction, else why the image could not be used (not an image,
 * truncated, empty, too large, unreadable), with label, probability and top_k null. A bad image
 * never fails the job.
 *
 * <p>Each executor JVM opens the model once ({@link ExecutorModels}); each task decodes its
 * images and runs them in batches of the model's batch size, with {@code convkit predict}'s
 * preprocessing ({@link Classifier#predict}), holding one batch in memory at a time.
 */
public final class SparkPrediction {
    /** The columns predictions add. */
    public static final List<String> COLUMNS = List.of("label", "probability", "top_k", "error");

    private SparkPrediction() {}

    /** The predictions of a frame of images; lazy, as any Spark transformation: nothing runs until an action. */
    public static Dataset<Row> predict(Dataset<Row> images, SparkModel model, int topK) {
        return predict(images, model, topK, null);
    }

    /**
     * @param counters what the tasks did, counted for the caller ({@link JobCounters#register}), or null
     */
    public static Dataset<Row> predict(Dataset<Row> images, SparkModel model, int topK, JobCounters counters) {
        if (topK < 1) {
            throw new IllegalArgumentException("top-k must be at least 1, not " + topK);
        }
        StructType in = images.schema();
        ImageRows columns = ImageRows.of(in);
        List<Integer> kept = new ArrayList<>();
        StructType out = new StructType();
        for (int i = 0; i < in.fields().length; i++) {
            StructField f = in.fields()[i];
            if (i == columns.content()) {
                continue;
            }
            if (COLUMNS.contains(f.name())) {
                throw new IllegalArgumentException("the images have a column '" + f.name() + "', which the predictions"
                        + " add; rename it first (Dataset.withColumnRenamed)");
            }
            kept.add(i);
            out = out.add(f);
        }
        int heads = model.heads();
        out = out.add("label", DataTypes.StringType, true)
                .add("probability", DataTypes.DoubleType, true)
                .add("top_k", topKType(heads), true)
                .add("error", DataTypes.StringType, true);
        SparkSession spark = images.sparkSession();
        Task task = new Task(model, topK, columns, kept.stream().mapToInt(Integer::intValue).toArray(), heads,
                columns.content() < 0 ? new ImageFiles.Reader(spark) : null, counters);
        return images.mapPartitions(task, Encoders.row(out));
    }

    /** (label, probability) per class, most probable first; for K heads, one such list per position. */
    static DataType topKType(int heads) {
        StructType scored = new StructType()
                .add("label", DataTypes.StringType, false)
                .add("probability", DataTypes.DoubleType, false);
        ArrayType list = DataTypes.createArrayType(scored, false);
        return heads > 1 ? DataTypes.createArrayType(list, false) : list;
    }

    /** One partition's predictions; serialized with the task. */
    private record Task(SparkModel model, int topK, ImageRows columns, int[] kept, int heads, ImageFiles.Reader reader,
            JobCounters counters) implements MapPartitionsFunction<Row, Row> {

        @Override
        public Iterator<Row> call(Iterator<Row> rows) {
            if (!rows.hasNext()) {
                return rows; // an empty partition does not load the model
            }
            Classifier classifier = ExecutorModels.get(model, counters == null ? null : counters.modelLoads());
            return ImageRows.inBatches(rows, model.batchSize(), batch -> predict(classifier, batch));
        }

        private List<Row> predict(Classifier classifier, List<Row> batch) {
            ImageRows.Read read = columns.read(batch, reader);
            List<ImagePrediction> predictions = classifier.predict(read.samples(), topK);
            ImagePrediction[] byRow = new ImagePrediction[batch.size()];
            for (int j = 0; j < read.rows().length; j++) {
                byRow[read.rows()[j]] = predictions.get(j);
            }
            List<Row> out = new ArrayList<>(batch.size());
            for (int i = 0; i < batch.size(); i++) {
                Row r = batch.get(i);
                Object[] values = new Object[kept.length + COLUMNS.size()];
                for (int k = 0; k < kept.length; k++) {
                    values[k] = r.get(kept[k]);
                }
                ImagePrediction p = byRow[i];
                if (p != null && p.ok()) {
                    values[kept.length] = p.label();
                    values[kept.length + 1] = p.probability();
                    values[kept.length + 2] = heads > 1 ? ImageRows.seq(p.top().stream().map(Task::scored).toList()) : scored(p.top().get(0));
                } else {
                    values[kept.length + 3] = p != null ? p.problem().message() : read.failures()[i];
                    if (counters != null) {
                        counters.failures().add(1);
                    }
                }
                out.add(RowFactory.create(values));
            }
            if (counters != null) {
                counters.images().add(batch.size());
            }
            return out;
        }

        private static scala.collection.Seq<Row> scored(List<Scored> top) {
            return ImageRows.seq(top.stream().map(s -> RowFactory.create(s.label(), s.probability())).toList());
        }
    }
}
