package org.convkit.eval;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.convkit.core.ConvkitException;
import org.convkit.model.weights.Checkpoint;

/**
 * What {@code --checkpoint RUN_OR_DIR} names: a checkpoint directory itself, or a run folder whose
 * {@code checkpoints/best} (else {@code checkpoints/last}) is used.
 *
 * @param checkpoint the checkpoint directory
 * @param run the run folder when one was given, for its config.json (data, seed, split)
 */
public record CheckpointRef(Path checkpoint, Optional<Path> run) {
    public static CheckpointRef resolve(Path given) {
        if (!Files.exists(given)) {
            throw new ConvkitException("--checkpoint " + given + ": no such file or folder; give a run folder"
                    + " (runs/NAME) or a checkpoint directory (runs/NAME/checkpoints/best)");
        }
        if (Checkpoint.exists(given)) {
            // runs/NAME/checkpoints/best: the run is two levels up when it is one
            Path parent = given.toAbsolutePath().normalize().getParent();
            Path run = parent != null && parent.getFileName() != null
                    && parent.getFileName().toString().equals("checkpoints") ? parent.getParent() : null;
            return new CheckpointRef(given, Optional.ofNullable(run).filter(r -> Files.exists(r.resolve(RunConfigFile.NAME))));
        }
        for (String which : new String[] {"best", "last"}) {
            Path c = given.resolve("checkpoints").resolve(which);
            if (Checkpoint.exists(c)) {
                return new CheckpointRef(c, Optional.of(given));
            }
        }
        throw new ConvkitException("--checkpoint " + given + ": neither a checkpoint (no " + Checkpoint.MODEL_JSON
                + ") nor a run folder with checkpoints/best or checkpoints/last");
    }
}
