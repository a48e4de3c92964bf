package org.convkit.cli;

import java.util.concurrent.Callable;
import org.convkit.core.Json;
import org.convkit.core.Runtime;
import org.convkit.model.Summary;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "summary", mixinStandardHelpOptions = true,
        description = "Per-layer output shapes and parameter counts, totals, multiply-adds and weight memory.")
final class SummaryCommand implements Callable<Integer> {
    @Mixin
    ModelArgs model;

    @Option(names = "--json", description = "Print JSON instead of a table.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        Runtime.init();
        Summary s = Summary.of(model.build());
        if (json) {
            System.out.println(Json.prettyString(s));
        } else {
            System.out.print(s.toTable());
        }
        return 0;
    }
}
