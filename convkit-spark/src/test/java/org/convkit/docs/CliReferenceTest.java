package org.convkit.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.convkit.TestPaths;
import org.convkit.cli.Main;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The documentation cannot promise what the CLI refuses: docs/cli.md is every command's --help,
 * generated from the picocli definitions, and README.md and docs/*.md mention no --flag that no
 * command has. It lives in convkit-spark because this is the module whose class path holds the
 * whole command tree (the CLI and the spark commands).
 *
 * <p>To regenerate docs/cli.md after changing a command: {@code mvn -B -q test -pl convkit-spark -am
 * -Dtest=CliReferenceTest -Dsurefire.failIfNoSpecifiedTests=false -Dconvkit.writeDocs=true}.
 */
class CliReferenceTest {
    /**
     * Flags in the docs that belong to other programs, each with the program: Maven, the
     * benchmark scripts, spark-submit, curl, the JVM and Python.
     */
    private static final Map<String, String> OTHER_PROGRAMS = new TreeMap<>(Map.ofEntries(
            Map.entry("--quick", "bench/run.sh"), Map.entry("--pairs", "bench/run.sh"), Map.entry("--baseline", "bench/run.sh"),
            Map.entry("--runs", "bench/time-to-accuracy.sh"),
            Map.entry("--most", "duplicates"),
            Map.entry("--release", "javac"), Map.entry("--class", "spark-submit"),
            Map.entry("--deploy-mode", "spark-submit"), Map.entry("--conf", "spark-submit"),
            Map.entry("--archives", "spark-submit"), Map.entry("--files", "spark-submit"),
            Map.entry("--jars", "spark-submit"), Map.entry("--driver-memory", "spark-submit"),
            Map.entry("--executor-memory", "spark-submit"), Map.entry("--executor-cores", "spark-submit"),
            Map.entry("--num-executors", "spark-submit"), Map.entry("--total-executor-cores", "spark-submit"),
            Map.entry("--driver-java-options", "spark-submit"), Map.entry("--packages", "spark-submit"),
            Map.entry("--name", "spark-submit"), Map.entry("--properties-file", "spark-submit"),
            Map.entry("--add-opens", "java"), Map.entry("--add-exports", "java"),
            Map.entry("--no-install-recommends", "apt-get"), Map.entry("--ff-only", "git"),
            Map.entry("--data-binary", "curl")));

    private static final Pattern FLAG = Pattern.compile("(?<![\\w-])--[a-z][a-z0-9]*(?:-[a-z0-9]+)*");

    /** docs/cli.md as the commands describe themselves. */
    static String reference() {
        StringBuilder md = new StringBuilder();
        md.append("# Command-line reference\n\n")
                .append("Generated from the commands' picocli definitions (`CliReferenceTest` fails when this file and the\n")
                .append("commands disagree, and says how to regenerate it). The same text is `./convkit COMMAND --help`.\n");
        List<CommandLine> all = new ArrayList<>();
        collect(Main.commandLine(), all);
        md.append("\n");
        for (CommandLine c : all) {
            String name = c.getCommandSpec().qualifiedName();
            md.append("- [").append(name).append("](#").append(name.replace(' ', '-')).append(")\n");
        }
        for (CommandLine c : all) {
            c.setUsageHelpWidth(100);
            md.append("\n## ").append(c.getCommandSpec().qualifiedName()).append("\n\n```\n")
                    .append(c.getUsageMessage(CommandLine.Help.Ansi.OFF).stripTrailing()).append("\n```\n");
        }
        return md.toString();
    }

    private static void collect(CommandLine c, List<CommandLine> out) {
        out.add(c);
        for (CommandLine sub : c.getSubcommands().values()) {
            if (!out.contains(sub)) {
                collect(sub, out);
            }
        }
    }

    /** Every option name of every command, negated forms included. */
    static Set<String> cliFlags() {
        Set<String> flags = new TreeSet<>();
        List<CommandLine> all = new ArrayList<>();
        collect(Main.commandLine(), all);
        for (CommandLine c : all) {
            for (OptionSpec o : c.getCommandSpec().options()) {
                for (String n : o.names()) {
                    flags.add(n);
                    if (o.negatable() && n.startsWith("--")) {
                        flags.add("--no-" + n.substring(2));
                    }
                }
            }
        }
        return flags;
    }

    private static List<Path> docs() throws IOException {
        Path repo = TestPaths.repo();
        List<Path> files = new ArrayList<>(List.of(repo.resolve("README.md")));
        try (Stream<Path> s = Files.list(repo.resolve("docs"))) {
            s.filter(p -> p.toString().endsWith(".md")).sorted().forEach(files::add);
        }
        return files;
    }

    @Test
    void docsCliMdIsWhatTheCommandsSay() throws IOException {
        Path file = TestPaths.repo().resolve("docs/cli.md");
        String now = reference();
        if (Boolean.getBoolean("convkit.writeDocs")) {
            Files.writeString(file, now, StandardCharsets.UTF_8);
        }
        String written = Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
        assertEquals(now, written, "docs/cli.md is out of date: regenerate it with mvn -B -q test -pl convkit-spark -am"
                + " -Dtest=CliReferenceTest -Dsurefire.failIfNoSpecifiedTests=false -Dconvkit.writeDocs=true");
    }

    @Test
    void theDocsMentionNoFlagTheCliDoesNotHave() throws IOException {
        Set<String> known = cliFlags();
        assertTrue(known.contains("--labels-from") && known.contains("--master"), "the whole tree: " + known);
        List<String> unknown = new ArrayList<>();
        for (Path f : docs()) {
            List<String> lines = Files.readAllLines(f, StandardCharsets.UTF_8);
            for (int i = 0; i < lines.size(); i++) {
                Matcher m = FLAG.matcher(lines.get(i));
                while (m.find()) {
                    String flag = m.group();
                    if (!known.contains(flag) && !OTHER_PROGRAMS.containsKey(flag)) {
                        unknown.add(TestPaths.repo().relativize(f) + ":" + (i + 1) + " " + flag);
                    }
                }
            }
        }
        assertEquals(List.of(), unknown, "flags in the docs that no convkit command has (a flag of another program"
                + " goes into OTHER_PROGRAMS with its program)");
    }

    @Test
    void theCheckFindsAMadeUpFlag() {
        Matcher m = FLAG.matcher("train with `--labels-from class.N.ext` and --no-such-flag, not x--y or ---z");
        List<String> found = new ArrayList<>();
        while (m.find()) {
            found.add(m.group());
        }
        assertEquals(List.of("--labels-from", "--no-such-flag"), found);
        assertTrue(!cliFlags().contains("--no-such-flag"));
    }
}
