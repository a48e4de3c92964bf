package org.convkit.eval;

import java.io.IOException;
import java.util.SplittableRandom;
import org.convkit.data.Sample;
import org.convkit.data.image.Decoder;
import org.convkit.data.image.Pipeline;

/**
 * Turns one image into the network's input exactly as {@code convkit predict} does: {@link
 * Decoder} (EXIF orientation, the pixel limit, the model's channel count), then the model card's
 * evaluation {@link Pipeline} (resize/crop, ToTensor, the training normalization). Pure Java: it
 * needs no tensor engine, so an ONNX Runtime deployment uses it without libtorch. Immutable and
 * thread-safe; decode on as many threads as there are cores.
 */
public final class Preprocessor {
    private final ModelCard card;
    private final Pipeline pipeline;
    /** The decoder's pixel limit for this preprocessor, or 0 for the JVM-wide {@link Decoder#maxPixels()}. */
    private final long maxPixels;

    /** Decodes under the JVM-wide pixel limit ({@link Decoder#maxPixels()}). */
    public Preprocessor(ModelCard card) {
        this(card, 0);
    }

    /**
     * Decodes under a pixel limit of its own (a server's {@code --max-pixels}), whatever the rest of
     * the JVM uses.
     *
     * @param maxPixels images above this many pixels are refused from their header; 0 = {@link
     *     Decoder#maxPixels()}
     */
    public Preprocessor(ModelCard card, long maxPixels) {
        if (maxPixels < 0) {
            throw new IllegalArgumentException("pixel limit must be positive (or 0 for the default): " + maxPixels);
        }
        this.card = card;
        this.pipeline = card.pipeline();
        this.maxPixels = maxPixels;
    }

    /** The evaluation pipeline in use. */
    public Pipeline pipeline() {
        return pipeline;
    }

    /** Floats per image: C*H*W. */
    public int imageSize() {
        return card.channels() * card.height() * card.width();
    }

    /**
     * Refuses a batch that is not {@code n} images of this card's input, as every engine's
     * {@code Classifier.logits} does before running it.
     *
     * @return {@link #imageSize()}
     */
    public int checkBatch(float[] pixels, int n) {
        int per = imageSize();
        if (n < 1 || pixels.length != (long) n * per) {
            throw new IllegalArgumentException(pixels.length + " floats for " + n + " images of " + card.input());
        }
        return per;
    }

    /**
     * One image as C*H*W floats.
     *
     * @throws IOException when the bytes are not a readable image or it is too large (see {@link
     *     ImagePrediction#problem})
     */
    public float[] tensor(Sample image) throws IOException {
        float[] x = new float[imageSize()];
        tensor(image, x, 0);
        return x;
    }

    /** One image's C*H*W floats written at {@code dst[offset..]} (a batch buffer). */
    public void tensor(Sample image, float[] dst, int offset) throws IOException {
        var decoded = maxPixels > 0 ? Decoder.image(image, card.channels(), maxPixels) : Decoder.image(image, card.channels());
        var pixels = pipeline.transform(decoded, new SplittableRandom(0)); // no random step: the generator is unused
        if (pixels.channels() != card.channels() || pixels.height() != card.height() || pixels.width() != card.width()) {
            throw new org.convkit.core.ConvkitException("the transforms " + pipeline.spec() + " give " + pixels.channels()
                    + "x" + pixels.height() + "x" + pixels.width() + " but " + card.name() + " takes " + card.input());
        }
        pipeline.normalize().toTensor(pixels, dst, offset);
    }
}
