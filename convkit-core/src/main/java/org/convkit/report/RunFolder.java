package org.convkit.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.convkit.core.ConvkitException;
import org.convkit.core.Json;
import org.convkit.core.RunFiles;
import org.convkit.eval.EvalResult;
import org.convkit.eval.RunConfigFile;
import org.convkit.model.weights.Checkpoint;
import org.convkit.model.weights.ModelInfo;

/**
 * A run folder {@code runs/<name>/} read back: the resolved config the trainer saved, its
 * per-epoch metrics, and the validation evaluation the report was made from. Every file is
 * optional except that a folder with none of them is not a run.
 */
public final class RunFolder {

    private final Path dir;

    private RunFolder(Path dir) {
        this.dir = dir;
    }

    /** Opens {@code dir}; fails with a clear message when it is not a run folder. */
    public static RunFolder open(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new ConvkitException(dir + " is not a directory; give a run folder such as runs/NAME");
        }
        if (!Files.exists(dir.resolve(RunFiles.CONFIG)) && !Files.exists(dir.resolve(RunFiles.METRICS_CSV))
                && !Files.exists(dir.resolve(RunFiles.EVALUATION))) {
            throw new ConvkitException(dir + " is not a run folder: it has no " + RunFiles.CONFIG + ", " + RunFiles.METRICS_CSV
                    + " or " + RunFiles.EVALUATION
                    + " (`convkit train --run NAME` writes runs/NAME/)");
        }
        return new RunFolder(dir);
    }

    public Path dir() {
        return dir;
    }

    /** The run's name: its folder's name. */
    public String name() {
        Path f = dir.toAbsolutePath().normalize().getFileName();
        return f == null ? dir.toString() : f.toString();
    }

    public Path file(String name) {
        return dir.resolve(name);
    }

    /** The resolved config (flag names as keys, in the saved order); empty when not saved. */
    public Map<String, Object> config() {
        return RunConfigFile.read(dir);
    }

    /**
     * A value of {@link #config()} as the report and {@code compare} show it: a string as it is,
     * anything else as its JSON.
     */
    public static String configText(Object value) {
        return value instanceof String s ? s : Json.compact(value);
    }

    /**
     * The epoch {@code checkpoints/best} comes from (its model.json's {@code extra.epoch}, which
     * training writes); empty without that checkpoint, for one that does not say, or one that
     * cannot be read (the report then goes by metrics.csv).
     */
    public OptionalInt bestCheckpointEpoch() {
        Path best = RunFiles.bestCheckpoint(dir);
        if (!Files.isRegularFile(best.resolve(Checkpoint.MODEL_JSON))) {
            return OptionalInt.empty();
        }
        try {
            return Checkpoint.read(best).info().extra().get(ModelInfo.EPOCH) instanceof Number n
                    ? OptionalInt.of(n.intValue()) : OptionalInt.empty();
        } catch (ConvkitException e) {
            return OptionalInt.empty();
        }
    }

    public EpochLog metrics() {
        return EpochLog.readIfExists(file(RunFiles.METRICS_CSV));
    }

    /** The validation evaluation saved with the report, if any. */
    public Optional<EvalResult> evaluation() {
        Path f = file(RunFiles.EVALUATION);
        if (!Files.exists(f)) {
            return Optional.empty();
        }
        try {
            return Optional.of(Json.mapper().readValue(f.toFile(), EvalResult.class));
        } catch (IOException e) {
            throw new ConvkitException("cannot read " + f + ": " + e.getMessage()
                    + ". Delete it and evaluate again to re-make it.", e);
        }
    }

    /** The fine-tuning phases' freezing record, if the run has one. */
    public Optional<com.fasterxml.jackson.databind.JsonNode> freezing() {
        Path f = file(RunFiles.FREEZING);
        if (!Files.exists(f)) {
            return Optional.empty();
        }
        try {
            return Optional.of(Json.mapper().readTree(f.toFile()));
        } catch (IOException e) {
            throw new ConvkitException("cannot read " + f + ": " + e.getMessage(), e);
        }
    }

    /** How many bad samples the run skipped (rows of skipped.csv), 0 when none were. */
    public long skippedCount() {
        Path f = file(RunFiles.SKIPPED);
        if (!Files.exists(f)) {
            return 0;
        }
        try (var lines = Files.lines(f)) {
            return Math.max(0, lines.filter(l -> !l.isBlank()).count() - 1);
        } catch (IOException e) {
            return 0;
        }
    }
}
