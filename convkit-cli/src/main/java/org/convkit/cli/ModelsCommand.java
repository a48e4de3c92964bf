package org.convkit.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.convkit.core.Json;
import org.convkit.core.Runtime;
import org.convkit.model.Architecture;
import org.convkit.model.Summary;
import org.convkit.model.Zoo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "models", mixinStandardHelpOptions = true,
        description = "List the model zoo: name, parameter count at the published defaults, description.")
final class ModelsCommand implements Callable<Integer> {
    @Option(names = "--json", description = "Print JSON instead of a table.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        Runtime.init();
        List<Map<String, Object>> out = new ArrayList<>();
        for (Architecture a : Zoo.all()) {
            // counted by shape inference: no weights are drawn (see Summary.of)
            Summary s = Summary.of(Zoo.create(a.name(), a.defaults()));
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("name", a.name());
            row.put("input", a.defaults().inputSpec());
            row.put("classes", a.defaults().classes());
            row.put("params", s.totalParams());
            row.put("description", a.description());
            out.add(row);
        }
        if (json) {
            System.out.println(Json.prettyString(out));
            return 0;
        }
        System.out.printf(Locale.ROOT, "%-16s %-11s %8s %14s  %s%n", "MODEL", "INPUT", "CLASSES", "PARAMS", "DESCRIPTION");
        for (Map<String, Object> r : out) {
            System.out.printf(Locale.ROOT, "%-16s %-11s %8d %,14d  %s%n", r.get("name"), r.get("input"),
                    r.get("classes"), r.get("params"), r.get("description"));
        }
        return 0;
    }
}
