package org.convkit.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import org.apache.commons.rng.UniformRandomProvider;
import org.apache.commons.rng.sampling.distribution.ChengBetaSampler;
import org.apache.commons.rng.simple.RandomSource;
import org.convkit.core.Autograd;
import org.convkit.core.ConvkitException;
import org.convkit.data.Batch;
import org.convkit.train.loss.Loss;

/**
 * Batch mixing, as torchvision.transforms.v2's {@code MixUp} and {@code CutMix}: every training
 * image is blended with the image next to it in the batch (the batch rolled by one), and the loss
 * is the same blend of the two labels' losses. A network that memorizes a few thousand photos
 * cannot memorize their mixtures, which is why it helps small datasets.
 *
 * <ul>
 *   <li>MixUp (Zhang et al., 2018): {@code x = share * x + (1 - share) * rolled(x)}.
 *   <li>CutMix (Yun et al., 2019): a box of about {@code 1 - share} of the image is pasted from the
 *       rolled image; {@code share} is then what is left of the image itself.
 * </ul>
 * {@code share} is drawn per batch from Beta(alpha, alpha). With both alphas above 0 each batch
 * takes one of the two at even odds (timm's {@code --mixup} and {@code --cutmix} together).
 *
 * <p>The loss {@code share * loss(labels) + (1 - share) * loss(rolled labels)} is cross-entropy
 * against the mixed one-hot targets torchvision's transforms return, since cross-entropy (with or
 * without label smoothing) is linear in its target.
 *
 * <p>What a batch draws depends only on the run's seed and the batch's number ({@link
 * org.convkit.core.Seeds#forMixing}), so a resumed run mixes as one that never stopped.
 *
 * @param mixupAlpha MixUp's Beta parameter, 0 = off
 * @param cutmixAlpha CutMix's Beta parameter, 0 = off
 */
public record Mixing(double mixupAlpha, double cutmixAlpha) {
    /** No mixing. */
    public static final Mixing NONE = new Mixing(0, 0);

    public Mixing {
        check("--mixup", mixupAlpha);
        check("--cutmix", cutmixAlpha);
    }

    private static void check(String flag, double alpha) {
        if (!(alpha >= 0 && Double.isFinite(alpha))) {
            throw new ConvkitException(flag + " " + alpha + ": expected a Beta parameter >= 0 (0 = off), e.g. 0.2");
        }
    }

    /** {@code --mixup A --cutmix B}, either left out (null) = 0. */
    public static Mixing of(Double mixupAlpha, Double cutmixAlpha) {
        return new Mixing(mixupAlpha == null ? 0 : mixupAlpha, cutmixAlpha == null ? 0 : cutmixAlpha);
    }

    public boolean enabled() {
        return mixupAlpha > 0 || cutmixAlpha > 0;
    }

    /**
     * A mixed batch.
     *
     * @param batch the mixed images, the labels unchanged
     * @param share how much of each image (and of the loss) is its own, in [0, 1]; the rest is the
     *     previous image's (the first image's: the last one's)
     * @param cutmix true when a box was pasted, false when the images were blended
     */
    public record Mixed(Batch batch, double share, boolean cutmix) {
        /**
         * The training loss on this batch: {@code share * loss(labels) + (1 - share) *
         * loss(labels of the mixed-in images)}.
         *
         * @param labels (N, K) the batch's own labels
         */
        public NDArray loss(Loss loss, NDList outputs, NDArray labels) {
            NDArray own = Autograd.times(loss.compute(outputs, labels), share);
            return own.add(Autograd.times(loss.compute(outputs, mixedIn(labels)), 1 - share));
        }

        /** The labels with the larger share of each image: what a prediction counts as right against. */
        public NDArray majorLabels(NDArray labels) {
            return share >= 0.5 ? labels : mixedIn(labels);
        }
    }

    /** The labels of the image mixed into each one: the previous sample's ({@code torch.roll(labels, 1, 0)}). */
    static NDArray mixedIn(NDArray labels) {
        return NDArrays.concat(new NDList(labels.get("-1:"), labels.get(":-1")));
    }

    /**
     * Mixes {@code b}'s images, drawing from {@code seed} (the batch's own, see {@link
     * org.convkit.core.Seeds#forMixing}). The batch's arrays are left as they were.
     */
    public Mixed apply(Batch b, long seed) {
        if (!enabled()) {
            throw new IllegalStateException("no mixing to apply");
        }
        UniformRandomProvider rng = RandomSource.SPLIT_MIX_64.create(seed);
        boolean cutmix = cutmixAlpha > 0 && (mixupAlpha == 0 || rng.nextBoolean());
        double alpha = cutmix ? cutmixAlpha : mixupAlpha;
        double share = ChengBetaSampler.of(rng, alpha, alpha).sample();
        int image = b.channels() * b.height() * b.width();
        float[] in = b.data();
        float[] out = new float[b.size() * image];
        if (cutmix) {
            share = pasteBox(b, in, out, share, rng);
        } else {
            float own = (float) share;
            float other = (float) (1 - share);
            for (int i = 0; i < b.size(); i++) {
                int from = Math.floorMod(i - 1, b.size()) * image;
                int to = i * image;
                for (int k = 0; k < image; k++) {
                    out[to + k] = own * in[to + k] + other * in[from + k];
                }
            }
        }
        Batch mixed = new Batch(out, b.size(), b.channels(), b.height(), b.width(), b.labels(), b.heads(), b.ids(),
                b.indices());
        return new Mixed(mixed, share, cutmix);
    }

    /**
     * CutMix's box, as torchvision.transforms.v2.CutMix draws it: a centre anywhere in the image,
     * half-sides {@code sqrt(1 - share) / 2} of the image's, clipped to the image; returns the share
     * the clipped box leaves to each image.
     */
    private static double pasteBox(Batch b, float[] in, float[] out, double share, UniformRandomProvider rng) {
        int h = b.height();
        int w = b.width();
        int cx = rng.nextInt(w);
        int cy = rng.nextInt(h);
        double r = 0.5 * Math.sqrt(1 - share);
        int halfW = (int) (r * w);
        int halfH = (int) (r * h);
        int x1 = Math.max(cx - halfW, 0);
        int y1 = Math.max(cy - halfH, 0);
        int x2 = Math.min(cx + halfW, w);
        int y2 = Math.min(cy + halfH, h);
        int image = b.channels() * h * w;
        System.arraycopy(in, 0, out, 0, b.size() * image);
        for (int i = 0; i < b.size(); i++) {
            int from = Math.floorMod(i - 1, b.size()) * image;
            int to = i * image;
            for (int c = 0; c < b.channels(); c++) {
                for (int y = y1; y < y2; y++) {
                    int row = c * h * w + y * w;
                    System.arraycopy(in, from + row + x1, out, to + row + x1, x2 - x1);
                }
            }
        }
        return 1 - (double) (x2 - x1) * (y2 - y1) / (w * h);
    }
}
