package org.convkit.transfer;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.convkit.core.AtomicFiles;
import org.convkit.core.ConvkitException;
import org.convkit.core.Json;
import org.convkit.core.Progress;
import org.convkit.core.RunFiles;
import org.convkit.data.load.Loader;
import org.convkit.eval.Evaluator;
import org.convkit.model.ConvNet;

/**
 * Backbone features of every sample of a split, computed once and kept on disk in the run folder
 * ({@code features/<split>.f32}: float32, little-endian, one row per sample; {@code
 * features/<split>.json}: labels, ids, the row shape and what they were computed from).
 *
 * <p>Each sample goes through the backbone exactly once, in evaluation mode, with the evaluation
 * transforms (no augmentation: augmented copies would each need their own pass, which is what the
 * cache avoids). Training then reads rows through a memory map, so the Java heap holds one batch
 * whatever the dataset size and the operating system's page cache keeps the rest. A later run in
 * the same folder (a resume) reuses the files when the backbone and the transforms are the same.
 */
public final class FeatureCache {

    /**
     * One split's cached features.
     *
     * @param file the float32 rows
     * @param rows samples (those the loader could read; bad ones are skipped and listed)
     * @param rowShape a sample's feature shape, e.g. [512] or [C, H, W]
     * @param labels rows x heads class indices
     * @param heads labels per sample
     * @param ids sample ids
     * @param indices sample indices in the split's source
     */
    public record Split(Path file, int rows, long[] rowShape, int[] labels, int heads, String[] ids, int[] indices) {
        /** Floats per row. */
        public int rowSize() {
            long n = 1;
            for (long d : rowShape) {
                n *= d;
            }
            return (int) n;
        }
    }

    private static final ObjectMapper JSON = Json.mapper();

    private FeatureCache() {}

    /**
     * The features of {@code loader}'s split (an evaluation loader: in order, every sample once),
     * from the cache in {@code runDir} when it was made from the same backbone ({@code key}) and
     * transforms, else computed now.
     *
     * @param key identifies the backbone's weights and the pipeline (a fingerprint)
     */
    public static Split of(ConvNet net, Device device, Loader loader, Path runDir, String split, String key)
            throws IOException {
        Path dir = Files.createDirectories(runDir.resolve(RunFiles.FEATURES));
        Path data = dir.resolve(split + ".f32");
        Path meta = dir.resolve(split + ".json");
        if (Files.isRegularFile(data) && Files.isRegularFile(meta)) {
            Split cached = read(data, meta, key);
            if (cached != null) {
                return cached;
            }
        }
        List<Integer> labels = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        List<Integer> indices = new ArrayList<>();
        long[][] rowShape = new long[1][];
        int[] heads = {1};
        AtomicFiles.write(data, out -> compute(net, device, loader, out, labels, ids, indices, rowShape, heads));
        if (ids.isEmpty()) {
            throw new ConvkitException("no readable sample in " + loader.source().describe() + " to compute features of");
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("key", key);
        m.put("source", loader.source().describe());
        m.put("rows", ids.size());
        m.put("row_shape", rowShape[0]);
        m.put("heads", heads[0]);
        m.put("labels", labels);
        m.put("ids", ids);
        m.put("indices", indices);
        byte[] json = JSON.writeValueAsBytes(m);
        AtomicFiles.write(meta, o -> o.write(json));
        return new Split(data, ids.size(), rowShape[0], labels.stream().mapToInt(Integer::intValue).toArray(), heads[0],
                ids.toArray(String[]::new), indices.stream().mapToInt(Integer::intValue).toArray());
    }

    private static void compute(ConvNet net, Device device, Loader loader, OutputStream out, List<Integer> labels,
            List<String> ids, List<Integer> indices, long[][] rowShape, int[] heads) throws IOException {
        try (Loader.Epoch it = loader.epoch(0);
                Progress bar = new Progress("features " + loader.options().split(), loader.source().size(), "img")) {
            // the evaluation pass (no gradients, BatchNorm folded, every sample once) over the backbone
            new Evaluator(net.backbone(), device, net.engine()).run(() -> it, (b, features) -> {
                bar.advance(b.size());
                NDArray f = features.head();
                rowShape[0] = f.getShape().slice(1).getShape();
                float[] values = f.toFloatArray();
                ByteBuffer bytes = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
                bytes.asFloatBuffer().put(values);
                try {
                    out.write(bytes.array());
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                heads[0] = b.heads();
                for (int i = 0; i < b.size(); i++) {
                    for (int h = 0; h < b.heads(); h++) {
                        labels.add(b.labels()[i * b.heads() + h]);
                    }
                    ids.add(b.ids()[i]);
                    indices.add(b.indices()[i]);
                }
                loader.recycle(b); // only its pixel array is reused: the record stays readable
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    /** The cached split, or null when it was made from something else (or is damaged). */
    private static Split read(Path data, Path meta, String key) {
        try {
            Map<?, ?> m = JSON.readValue(meta.toFile(), Map.class);
            if (!key.equals(m.get("key"))) {
                return null;
            }
            int rows = ((Number) m.get("rows")).intValue();
            long[] shape = ((List<?>) m.get("row_shape")).stream().mapToLong(v -> ((Number) v).longValue()).toArray();
            Split s = new Split(data, rows, shape,
                    ((List<?>) m.get("labels")).stream().mapToInt(v -> ((Number) v).intValue()).toArray(),
                    ((Number) m.get("heads")).intValue(),
                    ((List<?>) m.get("ids")).stream().map(String::valueOf).toArray(String[]::new),
                    ((List<?>) m.get("indices")).stream().mapToInt(v -> ((Number) v).intValue()).toArray());
            return Files.size(data) == (long) rows * s.rowSize() * Float.BYTES ? s : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * Read access to a split's rows through memory maps (each under 2 GiB); thread-safe for reads
     * as every call works on its own duplicate of the buffers.
     */
    static final class Rows {
        private final Split split;
        private final List<FloatBuffer> chunks = new ArrayList<>();
        private final int rowsPerChunk;

        Rows(Split split) throws IOException {
            this.split = split;
            int rowBytes = split.rowSize() * Float.BYTES;
            this.rowsPerChunk = Math.max(1, Integer.MAX_VALUE / rowBytes);
            try (FileChannel ch = FileChannel.open(split.file(), StandardOpenOption.READ)) {
                for (long first = 0; first < split.rows(); first += rowsPerChunk) {
                    long n = Math.min(rowsPerChunk, split.rows() - first);
                    chunks.add(ch.map(FileChannel.MapMode.READ_ONLY, first * rowBytes, n * rowBytes)
                            .order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer());
                }
            }
        }

        /** Copies row {@code row} into {@code dst} at {@code offset}. */
        void copy(int row, float[] dst, int offset) {
            FloatBuffer c = chunks.get(row / rowsPerChunk).duplicate();
            int size = split.rowSize();
            c.position((row % rowsPerChunk) * size);
            c.get(dst, offset, size);
        }
    }
}
