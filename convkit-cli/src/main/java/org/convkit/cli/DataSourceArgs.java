package org.convkit.cli;

import org.convkit.data.OpenOptions;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * How the data commands ({@code data inspect}, {@code data pack}, {@code spark pack}) open a
 * dataset ({@link org.convkit.data.load.Datasets#open}): the data options of every command plus the
 * split options that {@code train} has as config keys.
 */
public final class DataSourceArgs {
    @Option(names = "--valid-split", paramLabel = "F",
            description = "Hold out this fraction of train for validation when there is no valid/val folder or file"
                    + " (stratified, seeded). Default: ${DEFAULT-VALUE} for this command.")
    Double validSplit;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of the validation split (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--heads", defaultValue = "0", paramLabel = "K",
            description = "Digit-sequence labels (Tianchi JSON): pad to K positions with a blank class; 0 = the longest label.")
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
