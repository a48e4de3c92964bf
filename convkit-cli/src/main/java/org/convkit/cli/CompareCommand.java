package org.convkit.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.convkit.core.Json;
import org.convkit.report.RunComparison;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "compare", mixinStandardHelpOptions = true,
        description = {"Compare runs: the config values that differ, final and best metrics, and one plot of "
                + "validation accuracy per epoch for all runs.",
            "Example: convkit compare runs/lr-0.1 runs/lr-0.01 runs/adam"})
final class CompareCommand implements Callable<Integer> {
    @Parameters(arity = "1..*", paramLabel = "RUN", description = "Run folders (runs/NAME) written by `convkit train`.")
    List<Path> runs;

    @Option(names = "--json", description = "Print JSON instead of a table.")
    boolean json;

    @Option(names = "--plot", paramLabel = "FILE", defaultValue = "compare.png",
            description = "Where to write the validation-accuracy plot (default: ${DEFAULT-VALUE}).")
    Path plot;

    @Override
    public Integer call() throws Exception {
        RunComparison c = RunComparison.of(runs);
        c.plot(plot);
        String where = plot.toAbsolutePath().normalize().toString();
        if (json) {
            Map<String, Object> out = new java.util.LinkedHashMap<>(c.toJson());
            out.put("plot", where);
            System.out.println(Json.prettyString(out));
        } else {
            System.out.print(c.toTable());
            System.out.println("plot: " + where);
        }
        return 0;
    }
}
