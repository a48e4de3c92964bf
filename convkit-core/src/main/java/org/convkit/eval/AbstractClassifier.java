package org.convkit.eval;

/**
 * What every {@link Classifier} is, whatever engine runs it: a model card, the preprocessor built
 * from it, and the largest batch {@link #predict} sends to the network. Engines extend it and add
 * the forward pass ({@link #logits}) and {@link #close}.
 */
public abstract class AbstractClassifier implements Classifier {
    private final ModelCard card;
    private final Preprocessor preprocessor;
    private final int maxBatch;

    /**
     * @param card what the model is and expects
     * @param maxBatch images per forward pass in {@link #predict}, at least 1
     */
    protected AbstractClassifier(ModelCard card, int maxBatch) {
        if (maxBatch < 1) {
            throw new IllegalArgumentException("maxBatch must be positive, not " + maxBatch);
        }
        this.card = card;
        this.preprocessor = new Preprocessor(card);
        this.maxBatch = maxBatch;
    }

    @Override
    public final ModelCard card() {
        return card;
    }

    @Override
    public final int maxBatch() {
        return maxBatch;
    }

    @Override
    public final Preprocessor preprocessor() {
        return preprocessor;
    }

    /** What a call on a closed classifier throws. */
    protected final IllegalStateException closedError() {
        return new IllegalStateException("the classifier " + card.name() + " is closed");
    }
}
