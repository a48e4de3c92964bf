package org.convkit.core;

import java.nio.file.Path;

/**
 * The names of everything in a run folder {@code runs/<name>/}, in one place: the trainer writes
 * them, evaluation, fine-tuning, reports and {@code compare} read them back. A run folder is
 * convkit's contract with its users (and with their scripts), so a name here changes only with
 * care.
 */
public final class RunFiles {
    /** The resolved training config, flag names as keys. */
    public static final String CONFIG = "config.json";
    /** One row per epoch (the contract's columns, then convkit's). */
    public static final String METRICS_CSV = "metrics.csv";
    /** The same rows as JSON lines (what a resume reads back). */
    public static final String METRICS_JSONL = "metrics.jsonl";
    /** Samples that could not be read or decoded, with the reason. */
    public static final String SKIPPED = "skipped.csv";
    /** The best checkpoint's evaluation of the validation split (the report's source). */
    public static final String EVALUATION = "eval.json";
    /** The best checkpoint's evaluation of the test split. */
    public static final String TEST = "test.json";
    /** Fine-tuning: what each phase froze and the proof that it held. */
    public static final String FREEZING = "freezing.json";
    /** The run's page, and what it shows. */
    public static final String REPORT = "report.html";
    public static final String CURVES = "curves.png";
    public static final String CONFUSION_PNG = "confusion.png";
    public static final String CONFUSION_CSV = "confusion.csv";
    public static final String PER_CLASS_CSV = "per_class.csv";
    /** Thumbnails of the most confident mistakes. */
    public static final String GALLERY = "gallery";
    /** The learning-rate range test ({@code --lr auto}, {@code convkit lr-find}). */
    public static final String LR_FIND_PNG = "lr-find.png";
    public static final String LR_FIND_CSV = "lr-find.csv";
    public static final String LR_FIND_JSON = "lr-find.json";
    /** Fine-tuning's cached backbone features ({@code --mode features}). */
    public static final String FEATURES = "features";
    /** The checkpoint directory, and its two checkpoints. */
    public static final String CHECKPOINTS = "checkpoints";
    /** The checkpoint of the best validation result so far ({@code --monitor}); its model.json names its epoch. */
    public static final String BEST = "best";
    /** The checkpoint written last (what a resume continues from). */
    public static final String LAST = "last";

    private RunFiles() {}

    /**
     * The folder of run {@code run} ({@code --run}) under {@code runsDir} ({@code --runs-dir}): a
     * name goes under it, an absolute path is used as it is (not nested below {@code runs/}).
     */
    public static Path runFolder(String runsDir, String run) {
        return Path.of(runsDir).resolve(run);
    }

    /** {@code runDir/checkpoints/best}. */
    public static Path bestCheckpoint(Path runDir) {
        return runDir.resolve(CHECKPOINTS).resolve(BEST);
    }

    /** {@code runDir/checkpoints/last}. */
    public static Path lastCheckpoint(Path runDir) {
        return runDir.resolve(CHECKPOINTS).resolve(LAST);
    }
}
