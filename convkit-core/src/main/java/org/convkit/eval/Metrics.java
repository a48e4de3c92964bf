package org.convkit.eval;

import ai.djl.ndarray.NDArray;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import org.convkit.data.Batch;

/**
 * Accumulates classification metrics over the batches of one evaluation: loss, accuracy (per
 * position and whole sequence for K heads), top-5, the confusion matrix, and the most confidently
 * misclassified samples. Feed it every batch with {@link #add}, then read {@link #result()}.
 *
 * <p>Scores are copied to the heap as they arrive and worked on in double precision, so the caller
 * may close its NDArrays right after {@code add} returns. Not thread-safe: one evaluation, one
 * thread. An evaluation split into parts (the partitions of a Spark job) gives each part its own
 * Metrics and {@link #merge}s them: counts add up exactly and the kept mistakes do not depend on
 * the order (Serializable, so a part can travel to the process that merges).
 */
public final class Metrics implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Top-5 is reported from this many classes on; below that it says little. */
    public static final int TOP5_MIN_CLASSES = 10;

    /** Gallery size the report uses when nobody asks for another. */
    public static final int DEFAULT_KEEP = 24;

    private static final int TOP_K = 5;

    // the least confident kept mistake first, so it is the one evicted; on equal probability the
    // later sample goes first, so the result does not depend on batch order
    private static final Comparator<Mistake> WEAKEST_FIRST = new WeakestFirst();

    /** A named class rather than a lambda: the queue holding it is serialized with the Metrics. */
    private static final class WeakestFirst implements Comparator<Mistake>, Serializable {
        private static final long serialVersionUID = 1L;

        @Override
        public int compare(Mistake a, Mistake b) {
            int c = Double.compare(a.probability(), b.probability());
            return c != 0 ? c : Integer.compare(b.index(), a.index());
        }
    }

    private final List<String> classes;
    private final int numClasses;
    private final int heads;
    private final int blank;
    private final int keep;

    private long samples;
    private double lossSum;
    private final long[] positionCorrect;
    private long sequenceCorrect;
    private long top5Hits;
    private final long[][] confusion;
    private final PriorityQueue<Mistake> worst;

    /**
     * @param classes class names, index = class; for sequences including the blank class
     * @param heads K, labels per sample (1 = plain classification)
     * @param blank index of the blank class that pads short sequences, or -1 for none
     * @param keep how many confident mistakes to keep for the gallery (0 = none)
     */
    public Metrics(List<String> classes, int heads, int blank, int keep) {
        if (classes.isEmpty()) {
            throw new IllegalArgumentException("no classes");
        }
        if (heads < 1) {
            throw new IllegalArgumentException("heads " + heads + " < 1");
        }
        if (blank >= classes.size()) {
            throw new IllegalArgumentException("blank " + blank + " is not a class index (" + classes.size() + " classes)");
        }
        this.classes = List.copyOf(classes);
        this.numClasses = classes.size();
        this.heads = heads;
        this.blank = blank;
        this.keep = Math.max(0, keep);
        this.positionCorrect = new long[heads];
        this.confusion = new long[numClasses][numClasses];
        this.worst = new PriorityQueue<>(WEAKEST_FIRST);
    }

    /** Plain classification: one head, no blank, the default gallery size. */
    public Metrics(List<String> classes) {
        this(classes, 1, -1, DEFAULT_KEEP);
    }

    /** Samples seen so far. */
    public long samples() {
        return samples;
    }

    /**
     * Adds one batch whose scores are NDArrays (one per head, shape (N, classes)); they are read,
     * not kept.
     */
    public void add(List<NDArray> logits, Batch batch) {
        add(logits, batch.labels(), batch.ids(), batch.indices());
    }

    /**
     * Adds one batch whose scores are NDArrays (one per head, shape (N, classes)); they are read,
     * not kept.
     *
     * @param labels N*K true classes, row-major
     * @param ids sample ids (for the gallery), or null
     * @param indices sample indices in their source (for the gallery), or null
     */
    public void add(List<NDArray> logits, int[] labels, String[] ids, int[] indices) {
        float[][] host = HostScores.copy(logits, numClasses);
        add(host, labels, ids, indices);
    }

    /**
     * Adds one batch of scores already on the heap.
     *
     * @param logits one array per head, each N*classes row-major (unnormalized scores)
     * @param labels N*K true classes, row-major
     * @param ids sample ids (for the gallery), or null
     * @param indices sample indices in their source (for the gallery), or null
     */
    public void add(float[][] logits, int[] labels, String[] ids, int[] indices) {
        if (logits.length != heads) {
            throw new IllegalArgumentException(logits.length + " score arrays for " + heads + " heads");
        }
        if (logits[0].length % numClasses != 0) {
            throw new IllegalArgumentException(logits[0].length + " scores are not N x " + numClasses + " classes");
        }
        int n = logits[0].length / numClasses;
        if (labels.length != n * heads) {
            throw new IllegalArgumentException(labels.length + " labels for " + n + " samples x " + heads + " heads");
        }
        int[] predicted = new int[heads];
        for (int i = 0; i < n; i++) {
            double sampleLoss = 0;
            double confidence = 1;
            boolean allRight = true;
            for (int h = 0; h < heads; h++) {
                int truth = labels[i * heads + h];
                if (truth < 0 || truth >= numClasses) {
                    throw new IllegalArgumentException("label " + truth + " of sample " + i + " is not a class index (" + numClasses + " classes)");
                }
                Row row = Row.of(logits[h], i * numClasses, numClasses, truth);
                sampleLoss += row.crossEntropy;
                confidence *= row.maxProbability;
                predicted[h] = row.argmax;
                confusion[truth][row.argmax]++;
                if (row.argmax == truth) {
                    positionCorrect[h]++;
                } else {
                    allRight = false;
                }
                if (row.rank < TOP_K) {
                    top5Hits++;
                }
            }
            lossSum += sampleLoss / heads;
            int[] truth = java.util.Arrays.copyOfRange(labels, i * heads, (i + 1) * heads);
            boolean right = blank >= 0 && heads > 1 ? withoutBlanks(truth).equals(withoutBlanks(predicted)) : allRight;
            if (right) {
                sequenceCorrect++;
            } else if (keep > 0) {
                offer(new Mistake(
                        ids == null ? null : ids[i],
                        indices == null ? -1 : indices[i],
                        text(truth),
                        text(predicted),
                        truth,
                        predicted.clone(),
                        confidence));
            }
            samples++;
        }
    }

    /**
     * Adds what another part of the same evaluation counted (the same classes, heads and blank):
     * as if its samples had been added here. The samples must be disjoint, with indices from one
     * numbering, so the kept mistakes are the same whatever the order of merging.
     */
    public void merge(Metrics other) {
        if (!classes.equals(other.classes) || heads != other.heads || blank != other.blank) {
            throw new IllegalArgumentException("cannot merge metrics of different models: " + other.classes.size()
                    + " classes x " + other.heads + " heads into " + numClasses + " x " + heads);
        }
        samples += other.samples;
        lossSum += other.lossSum;
        for (int h = 0; h < heads; h++) {
            positionCorrect[h] += other.positionCorrect[h];
        }
        sequenceCorrect += other.sequenceCorrect;
        top5Hits += other.top5Hits;
        for (int t = 0; t < numClasses; t++) {
            for (int p = 0; p < numClasses; p++) {
                confusion[t][p] += other.confusion[t][p];
            }
        }
        for (Mistake m : other.worst) {
            offer(m);
        }
    }

    /** The metrics so far. */
    public EvalResult result() {
        double[] positionAccuracy = new double[heads];
        for (int h = 0; h < heads; h++) {
            positionAccuracy[h] = share(positionCorrect[h], samples);
        }
        long[][] matrix = new long[numClasses][];
        for (int t = 0; t < numClasses; t++) {
            matrix[t] = confusion[t].clone();
        }
        List<ClassScore> perClass = ClassScores.of(matrix, classes);
        List<Mistake> mistakes = new ArrayList<>(worst);
        mistakes.sort(WEAKEST_FIRST.reversed());
        double sequence = share(sequenceCorrect, samples);
        return new EvalResult(
                classes,
                heads,
                blank,
                samples,
                samples == 0 ? Double.NaN : lossSum / samples,
                sequence,
                numClasses >= TOP5_MIN_CLASSES ? share(top5Hits, samples * heads) : null,
                positionAccuracy,
                heads > 1 ? sequence : null,
                matrix,
                perClass,
                ClassScores.macro(perClass),
                ClassScores.weighted(perClass),
                mistakes);
    }

    /** A label as people read it (see {@link Labels#text}). */
    public String text(int[] perHead) {
        return Labels.text(perHead, classes, blank);
    }

    private List<Integer> withoutBlanks(int[] perHead) {
        List<Integer> out = new ArrayList<>(perHead.length);
        for (int c : perHead) {
            if (c != blank) {
                out.add(c);
            }
        }
        return out;
    }

    private void offer(Mistake m) {
        if (worst.size() < keep) {
            worst.add(m);
        } else if (WEAKEST_FIRST.compare(m, worst.peek()) > 0) {
            worst.poll();
            worst.add(m);
        }
    }

    private static double share(long count, long total) {
        return total == 0 ? Double.NaN : (double) count / total;
    }

    /** What one row of scores says, computed with a stable log-sum-exp. */
    private record Row(double crossEntropy, double maxProbability, int argmax, int rank) {
        static Row of(float[] x, int from, int n, int truth) {
            int argmax = from;
            for (int j = from + 1; j < from + n; j++) {
                if (x[j] > x[argmax]) {
                    argmax = j;
                }
            }
            double max = x[argmax];
            double sum = 0;
            float target = x[from + truth];
            int rank = 0; // how many classes score strictly higher than the true one
            for (int j = from; j < from + n; j++) {
                sum += Math.exp(x[j] - max);
                if (x[j] > target) {
                    rank++;
                }
            }
            double logSumExp = max + Math.log(sum);
            return new Row(logSumExp - target, 1.0 / sum, argmax - from, rank);
        }
    }
}
