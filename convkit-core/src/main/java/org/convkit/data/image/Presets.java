package org.convkit.data.image;

import java.util.List;
import org.convkit.core.Choices;
import org.convkit.core.ConvkitException;

/**
 * The {@code --augment none|light|standard} presets for a model input of S x S pixels.
 *
 * <p>Evaluation (validation, test, predict) never augments:
 *
 * <ul>
 *   <li>small inputs (S &lt;= 64, e.g. CIFAR 32, MNIST 28): {@code resize=S,centercrop=S} (a no-op
 *       for images that already are S x S);
 *   <li>large inputs: {@code resize=round(S*8/7),centercrop=S} (256 then 224, the ImageNet
 *       recipe). The crop keeps the central 87.5%: objects at the border can be cut; use {@code
 *       --transforms resize=SxS} to squash instead of crop.
 * </ul>
 *
 * Training:
 *
 * <ul>
 *   <li>{@code none}: the evaluation pipeline;
 *   <li>{@code light}: the evaluation pipeline + {@code hflip};
 *   <li>{@code standard}, small: {@code resize=S,centercrop=S,randomcrop=S:padding=S/8,hflip}
 *       (padding 4 at 32, the CIFAR recipe); large: {@code randomresizedcrop=S,hflip,
 *       colorjitter=0.2/0.2/0.2} (the ImageNet recipe with a light jitter).
 * </ul>
 *
 * Flips are wrong for digits and text: use {@code none} or an explicit pipeline there.
 */
public final class Presets {
    /** Inputs up to this size count as "small" (no resize-crop recipe, pad-and-crop instead). */
    public static final int SMALL = 64;

    /** The augmentation levels. */
    public enum Augment {
        NONE,
        LIGHT,
        STANDARD;

        /** Parses the flag value. */
        public static Augment parse(String s) {
            return Choices.parse(Augment.class, "--augment", s);
        }
    }

    private Presets() {}

    /** The evaluation pipeline for S x S inputs. */
    public static Pipeline eval(int size, Normalize normalize) {
        return new Pipeline(evalSteps(size), normalize);
    }

    /** The training pipeline for S x S inputs. */
    public static Pipeline train(Augment augment, int size, Normalize normalize) {
        List<Transform> steps = new java.util.ArrayList<>();
        switch (augment) {
            case NONE -> steps.addAll(evalSteps(size));
            case LIGHT -> {
                steps.addAll(evalSteps(size));
                steps.add(RandomFlip.horizontal(0.5));
            }
            case STANDARD -> {
                if (size <= SMALL) {
                    steps.addAll(evalSteps(size));
                    steps.add(new RandomCrop(size, size, new int[] {Math.max(1, size / 8)}, false, new int[] {0}));
                    steps.add(RandomFlip.horizontal(0.5));
                } else {
                    steps.add(new RandomResizedCrop(size, size));
                    steps.add(RandomFlip.horizontal(0.5));
                    steps.add(new ColorJitter(0.2, 0.2, 0.2, 0));
                }
            }
        }
        return new Pipeline(steps, normalize);
    }

    private static List<Transform> evalSteps(int size) {
        if (size <= 0) {
            throw new ConvkitException("input size must be positive, not " + size);
        }
        int resize = size <= SMALL ? size : (int) Math.round(size * 8.0 / 7.0);
        return List.of(Resize.shorterSide(resize), new CenterCrop(size, size));
    }
}
