package org.convkit.eval;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * Everything one evaluation measured; immutable, serializable to JSON as it is ({@code eval
 * --json}, the run folder's {@code eval.json}).
 *
 * @param classes class names, index = class (for sequences the per-position classes incl. blank)
 * @param heads K, positions per sample (1 = plain classification)
 * @param blank the blank class for sequences, -1 when there is none
 * @param samples how many samples were evaluated
 * @param loss mean cross-entropy over samples (K heads: the mean of the per-head means)
 * @param accuracy the headline accuracy: top-1 for one head, whole-sequence accuracy for K
 * @param top5 share of predictions whose true class is among the 5 highest scores; only for 10+
 *     classes, else null
 * @param positionAccuracy top-1 accuracy per head (one entry for plain classification)
 * @param sequenceAccuracy for K heads: share of samples whose whole label is right (blanks removed
 *     before comparing); null for one head
 * @param confusion counts, {@code confusion[true][predicted]}, over all heads
 * @param perClass precision / recall / F1 per class
 * @param macro the unweighted class average
 * @param weighted the support-weighted class average
 * @param mistakes the most confidently misclassified samples, most confident first
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record EvalResult(
        List<String> classes,
        int heads,
        int blank,
        long samples,
        double loss,
        double accuracy,
        Double top5,
        double[] positionAccuracy,
        Double sequenceAccuracy,
        long[][] confusion,
        List<ClassScore> perClass,
        Averages macro,
        Averages weighted,
        List<Mistake> mistakes) {}
