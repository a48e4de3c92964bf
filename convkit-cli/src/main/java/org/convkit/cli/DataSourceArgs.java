package org.convkit.cli;

import java.nio.file.Path;
import java.util.List;
import org.convkit.data.OpenOptions;
import picocli.CommandLine.Option;

/** The options that say how a dataset is opened ({@link org.convkit.data.Datasets#open}). */
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

    @Option(names = "--images", paramLabel = "DIR",
            description = "Folder that the paths of a CSV/JSON label file are relative to (default: a folder named like the"
                    + " label file next to it, else the label file's folder).")
    Path images;

    @Option(names = "--class-names", split = ",", paramLabel = "NAME",
            description = "Class names for CSV files whose labels are indices (also the valid range).")
    List<String> classNames;

    @Option(names = "--no-download", description = "Never install or download a named dataset (fashion-mnist); fail saying how.")
    boolean noDownload;

    /** The options, with {@code defaultSplit} when --valid-split was not given. */
    public OpenOptions options(double defaultSplit) {
        return new OpenOptions(validSplit != null ? validSplit : defaultSplit, seed, heads, images, classNames, !noDownload, null);
    }
}
