package org.convkit.eval;

import java.util.ArrayList;
import java.util.List;
import org.convkit.core.ConvkitException;
import org.convkit.data.Sample;

/**
 * A trained image classifier, loaded once and asked many times: the one prediction API that {@code
 * convkit predict}, the HTTP server and the Spark jobs share, whatever engine runs the network.
 *
 * <p>Two levels:
 *
 * <ul>
 *   <li>{@link #predict(List, int)}: images as they come (encoded bytes with an id, or decoded
 *       pixels; see {@link Sample#encoded} and {@link Sample#decoded}) to one {@link
 *       ImagePrediction} each, in order: top-k per head, the label (for multi-head digit models
 *       the joined sequence without blanks, as {@code predict} writes it), or the reason an image
 *       could not be used. A bad image never fails the others. Batched internally up to {@link
 *       #maxBatch()}.
 *   <li>{@link #logits(float[], int)}: a batch the caller has already prepared with {@link
 *       #preprocessor()} (or a {@link org.convkit.data.load.Loader} over {@link ModelCard#pipeline()})
 *       to the raw scores; the streaming {@code predict} and a server that gathers requests into
 *       batches use this, and {@link ImagePrediction#of} turns scores into answers.
 * </ul>
 *
 * <p>An image's answer does not depend on what else is in its batch: the network runs in
 * evaluation mode (BatchNorm on running statistics, no dropout), so alone or in a batch of 64 its
 * probabilities agree to float rounding (tested within 1e-5).
 *
 * <p><b>Thread-safety:</b> every method may be called from any number of threads at once.
 * Engines may serialize forward passes internally (libtorch runs them one at a time on one
 * inference thread, each using all cores); ONNX Runtime runs them concurrently. Preprocessing
 * runs on the calling thread, so callers that decode on several threads get that parallelism.
 *
 * <p>Open one with {@link TorchClassifier#open} (libtorch, a checkpoint) or, in the {@code
 * convkit-onnx} module, {@code OnnxClassifier.open} (ONNX Runtime, an exported file; no libtorch
 * needed). Close it to free the network.
 */
public interface Classifier extends AutoCloseable {

    /** What the model is and expects. */
    ModelCard card();

    /** Which engine runs it, for logs and the model page: "libtorch 2.7.1 (DJL 0.36.0)", "ONNX Runtime 1.22.0". */
    String engine();

    /** Images per forward pass {@link #predict} uses at most. */
    int maxBatch();

    /** How images become the network's input (pure Java, thread-safe). */
    Preprocessor preprocessor();

    /**
     * The network's raw scores for {@code n} prepared images.
     *
     * @param pixels n*C*H*W floats, NCHW, prepared by {@link #preprocessor()}
     * @param n images in the batch, at least 1 (any count: memory grows with it)
     * @return per head, n*classes scores row-major (logits: softmax gives probabilities)
     */
    float[][] logits(float[] pixels, int n);

    /**
     * The raw scores of images as they come (what {@link #predict} turns into answers; an
     * evaluation that compares them with labels uses them directly).
     *
     * @param logits per head, {@code scored.length} x classes scores row-major, one row per image
     *     that could be used
     * @param scored which images the rows are: indices into the input list, ascending
     * @param problems per input image, why it could not be used, or null
     */
    record Scores(float[][] logits, int[] scored, ImagePrediction.Problem[] problems) {}

    /**
     * Scores each image: decode and prepare it (on this thread), run the network on batches of up
     * to {@link #maxBatch()} good images. A bad image gets a problem and no row; the others are not
     * affected.
     *
     * @param images encoded or decoded images, each with an id
     * @throws ConvkitException when the model's own configuration is wrong (not an image's fault)
     */
    default Scores scores(List<Sample> images) {
        Preprocessor prep = preprocessor();
        int per = prep.imageSize();
        ImagePrediction.Problem[] problems = new ImagePrediction.Problem[images.size()];
        int[] scored = new int[images.size()];
        int done = 0;
        float[][] all = null;
        int chunk = Math.min(Math.max(1, maxBatch()), Math.max(1, images.size()));
        float[] batch = new float[chunk * per];
        int n = 0;
        for (int i = 0; i <= images.size(); i++) {
            if (i < images.size()) {
                Sample s = images.get(i);
                try {
                    prep.tensor(s, batch, n * per);
                    scored[done + n++] = i;
                } catch (ConvkitException e) {
                    throw e; // the model's own configuration is wrong, not this image
                } catch (Exception e) {
                    problems[i] = ImagePrediction.problem(s.encoded(), e);
                }
            }
            if (n > 0 && (n == chunk || i == images.size())) {
                float[][] pass = logits(n == chunk ? batch : java.util.Arrays.copyOf(batch, n * per), n);
                all = all == null ? new float[pass.length][] : all;
                for (int h = 0; h < pass.length; h++) {
                    int classes = pass[h].length / n;
                    if (all[h] == null) { // room for every image once: no copy per pass
                        all[h] = new float[images.size() * classes];
                    }
                    System.arraycopy(pass[h], 0, all[h], done * classes, n * classes);
                }
                done += n;
                n = 0;
            }
        }
        if (all == null) {
            all = new float[card().heads()][0];
        }
        for (int h = 0; h < all.length && done < images.size(); h++) { // images that failed left room unused
            all[h] = java.util.Arrays.copyOf(all[h], all[h].length / images.size() * done);
        }
        return new Scores(all, java.util.Arrays.copyOf(scored, done), problems);
    }

    /**
     * Predicts each image: decode and prepare it (on this thread), run the network on batches of
     * up to {@link #maxBatch()} good images, and answer in input order.
     *
     * @param images encoded or decoded images, each with an id
     * @param topK classes to list per head (at least 1)
     */
    default List<ImagePrediction> predict(List<Sample> images, int topK) {
        ModelCard card = card();
        Scores s = scores(images);
        List<ImagePrediction> out = new ArrayList<>(images.size());
        for (int i = 0, j = 0; i < images.size(); i++) {
            String id = images.get(i).id();
            if (s.problems()[i] != null) {
                out.add(ImagePrediction.failed(id, s.problems()[i]));
            } else {
                out.add(ImagePrediction.of(id, s.logits(), j++, card.classes(), card.blank(), topK));
            }
        }
        return out;
    }

    /** {@link #predict(List, int)} for one image. */
    default ImagePrediction predict(Sample image, int topK) {
        return predict(List.of(image), topK).get(0);
    }


    /** Frees the network (native memory); the classifier cannot be used afterwards. */
    @Override
    void close();
}
