package org.convkit.train;

/**
 * One row of {@code metrics.csv}: what an epoch measured.
 *
 * @param epoch 1-based: the number of epochs completed with this one
 * @param step optimizer steps taken so far
 * @param trainLoss mean training loss over the epoch (with label smoothing if used; training mode)
 * @param trainAcc training accuracy over the epoch's batches (augmented, training mode; the mean
 *     over heads for K heads)
 * @param validLoss validation cross-entropy in evaluation mode, or NaN without validation data
 * @param validAcc validation accuracy (whole-sequence for K heads), or NaN
 * @param lr the learning rate of the epoch's last step (base group)
 * @param seconds wall-clock time of the epoch, validation included
 * @param dataWait share of the training time spent waiting for the next batch (0..1)
 * @param imagesPerSecond training images per second of the epoch
 * @param rssMb resident memory of the process at the end of the epoch, MiB (0 when unknown)
 */
public record EpochResult(int epoch, long step, double trainLoss, double trainAcc, double validLoss, double validAcc,
        double lr, double seconds, double dataWait, double imagesPerSecond, double rssMb) {

    public boolean hasValidation() {
        return !Double.isNaN(validAcc);
    }
}
