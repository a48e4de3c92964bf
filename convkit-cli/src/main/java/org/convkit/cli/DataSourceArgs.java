package org.convkit.cli;

import org.convkit.data.OpenOptions;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * How a command opens a dataset ({@link org.convkit.data.load.Datasets#open}): the data options of
 * every command, the validation split, its seed and digit-sequence labels. Declared once for the data
 * commands ({@code data inspect}, {@code data pack}, {@code spark pack}) and the training commands
 * ({@link TrainArgs}: config keys of the same names; train takes only what the command line gives,
 * so the picocli defaults of --seed and --heads, which are training's own, leave a config file's
 * values alone).
 */
public final class DataSourceArgs {
    // no picocli default: it is not the same for training (a share held out) and the data commands
    @Option(names = "--valid-split", paramLabel = "F",
            description = "Share of train held out for validation (stratified, seeded by --seed) when the data has no"
                    + " validation split (a valid/val folder or file). Default: 0.1 for train, finetune and lr-find;"
                    + " 0 for data inspect, data pack and spark pack, which show the splits as they are.")
    Double validSplit;

    @Option(names = "--seed", defaultValue = "0", paramLabel = "N",
            description = "Seed of everything drawn at random, the validation split included: the same seed repeats a CPU"
                    + " run exactly (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--heads", defaultValue = "0", paramLabel = "K", description = "Digit-sequence labels (Tianchi JSON):"
            + " K positions, shorter labels padded with the blank class; 0 = the longest label (default: ${DEFAULT-VALUE}).")
    int heads;

    @Mixin
    public DataArgs data;

    @Mixin
    public ClassNamesArgs classNames;

    /** The options, with {@code defaultSplit} when --valid-split was not given. */
    public OpenOptions options(double defaultSplit) {
        return data.applyTo(OpenOptions.defaults().withValidSplit(validSplit != null ? validSplit : defaultSplit)
                .withSeed(seed).withHeads(heads), classNames);
    }
}
