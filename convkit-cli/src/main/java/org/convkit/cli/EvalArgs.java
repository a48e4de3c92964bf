package org.convkit.cli;

import picocli.CommandLine.Option;

/** What an evaluation reads and how it answers, declared once for {@code eval} and {@code spark eval}. */
public final class EvalArgs {
    @Option(names = "--data", paramLabel = "D",
            description = "Dataset name or path (default: the run's own data, from its config.json).")
    public String data;

    @Option(names = "--split", paramLabel = "S",
            description = "train, valid or test (default: test, or valid where the data has no test split).")
    public String split;

    @Option(names = "--json", description = "Print the full result as JSON (for scripts).")
    public boolean json;
}
