package org.convkit.spark;

import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.function.Function;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.BinaryType;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.convkit.data.Sample;

/**
 * Rows of images as the tasks read them: where the image is (a path column), its bytes (a binary
 * column, as Spark's {@code binaryFile} source gives them, or read from the path), its id and
 * labels; taken a batch at a time so a task holds one batch of images, whatever its partition
 * holds.
 *
 * @param path the index of the path column
 * @param id the index of the id column, or -1 (the path is the id)
 * @param content the index of the bytes column, or -1 (read the path)
 * @param labels the index of the labels column (array of int), or -1 (unlabeled)
 */
record ImageRows(int path, int id, int content, int labels) implements Serializable {

    /** The columns Spark's {@code binaryFile} source and {@link ImageFiles#SCHEMA} use. */
    static final String PATH = "path";
    static final String ID = "id";
    static final String CONTENT = "content";
    static final String LABELS = "labels";

    /** Finds the columns by name in a frame's schema; a missing path column is an error naming the columns there are. */
    static ImageRows of(StructType schema) {
        int path = index(schema, PATH);
        if (path < 0 || !(schema.fields()[path].dataType() instanceof StringType)) {
            throw new IllegalArgumentException("the images need a string column '" + PATH + "' (the file's path or URI);"
                    + " the frame has " + String.join(", ", schema.fieldNames()));
        }
        int content = index(schema, CONTENT);
        if (content >= 0 && !(schema.fields()[content].dataType() instanceof BinaryType)) {
            throw new IllegalArgumentException("column '" + CONTENT + "' must hold the image's bytes (binary), not "
                    + schema.fields()[content].dataType().simpleString());
        }
        return new ImageRows(path, index(schema, ID), content, index(schema, LABELS));
    }

    private static int index(StructType schema, String name) {
        for (int i = 0; i < schema.fields().length; i++) {
            StructField f = schema.fields()[i];
            if (f.name().equals(name)) {
                return i;
            }
        }
        return -1;
    }

    /**
     * One batch of rows as samples.
     *
     * @param samples the images whose bytes could be read
     * @param rows for each sample, its row in the batch
     * @param failures per row of the batch, why its bytes could not be read, or null
     */
    record Read(List<Sample> samples, int[] rows, String[] failures) {}

    /** The batch's samples: bytes from the content column, else read from the path. */
    Read read(List<Row> batch, ImageFiles.Reader reader) {
        List<Sample> samples = new ArrayList<>(batch.size());
        int[] rows = new int[batch.size()];
        String[] failures = new String[batch.size()];
        for (int i = 0; i < batch.size(); i++) {
            Row r = batch.get(i);
            String where = r.getString(path);
            byte[] bytes;
            try {
                bytes = content >= 0 ? (byte[]) r.get(content) : reader.read(where);
                if (bytes == null) {
                    throw new IOException("no bytes (null " + CONTENT + ")");
                }
            } catch (IOException | RuntimeException e) {
                failures[i] = "cannot read " + where + ": " + e.getMessage();
                continue;
            }
            rows[samples.size()] = i;
            samples.add(new Sample(id(r), bytes, null, labels(r)));
        }
        return new Read(samples, java.util.Arrays.copyOf(rows, samples.size()), failures);
    }

    /** The row's sample id: its id column, else its path. */
    String id(Row r) {
        return id >= 0 ? r.getString(id) : r.getString(path);
    }

    /** An array column's value in a Row: a Scala sequence (a Java list is refused by Spark's encoder). */
    static <T> scala.collection.Seq<T> seq(List<T> list) {
        return scala.jdk.javaapi.CollectionConverters.asScala(list).toSeq();
    }

    /** Labels as an array column's value. */
    static scala.collection.Seq<Integer> seq(int[] labels) {
        return seq(java.util.Arrays.stream(labels).boxed().toList());
    }

    /** Where the row's image is, for people: a local file's path, else the URI. */
    String location(Row r) {
        String uri = r.getString(path);
        if (uri.startsWith("file:")) {
            try {
                return java.nio.file.Path.of(java.net.URI.create(uri)).toString();
            } catch (IllegalArgumentException e) {
                return uri;
            }
        }
        return uri;
    }

    /** The row's labels (one per head), or none. */
    int[] labels(Row r) {
        if (labels < 0) {
            return new int[0];
        }
        List<Integer> l = r.getList(labels);
        return l.stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * Rows turned into results a batch at a time, lazily: the next batch is read when the results
     * of this one have been consumed.
     */
    static <R> Iterator<R> inBatches(Iterator<Row> rows, int size, Function<List<Row>, List<R>> work) {
        return new Iterator<>() {
            private Iterator<R> current = java.util.Collections.emptyIterator();

            @Override
            public boolean hasNext() {
                while (!current.hasNext() && rows.hasNext()) {
                    List<Row> batch = new ArrayList<>(size);
                    while (batch.size() < size && rows.hasNext()) {
                        batch.add(rows.next());
                    }
                    current = work.apply(batch).iterator();
                }
                return current.hasNext();
            }

            @Override
            public R next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return current.next();
            }
        };
    }
}
