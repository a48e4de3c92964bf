package org.convkit.cli;

import java.io.PrintWriter;
import org.convkit.core.ConvkitException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code convkit}: the command line. Each subcommand is a thin class that parses its options,
 * calls the library and prints; nothing computes here.
 */
@Command(
        name = "convkit",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Build, train, evaluate and export image-classification CNNs, without Python.",
        subcommands = {
            ModelsCommand.class,
            SummaryCommand.class,
            TrainCommand.class,
            FinetuneCommand.class,
            LrFindCommand.class,
            ForwardCommand.class,
            ExportWeightsCommand.class,
            ExportCommand.class,
            DataCommand.class,
            EvalCommand.class,
            PredictCommand.class,
            ServeCommand.class,
            CompareCommand.class,
            CommandLine.HelpCommand.class
        })
public final class Main implements Runnable {

    @Option(names = "--debug", description = "Print stack traces of errors.", scope = CommandLine.ScopeType.INHERIT)
    boolean debug;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the CLI and returns its exit code: 0 ok, 1 failure, 2 usage error. */
    public static int run(String... args) {
        boolean debug = java.util.Arrays.asList(args).contains("--debug");
        // plots are drawn off-screen; never try to reach a display (servers, CI, ssh sessions)
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
        Logging.configure(debug);
        CommandLine cli = new CommandLine(new Main());
        // "@FILE" is convkit's own syntax (--class-names @names.txt); picocli would otherwise read
        // the file as more arguments
        cli.setExpandAtFiles(false);
        cli.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            PrintWriter err = cmd.getErr();
            if (ex instanceof ConvkitException && !debug) {
                err.println("error: " + ex.getMessage());
            } else if (!debug) {
                err.println("error: " + ex + " (run again with --debug for the stack trace)");
            } else {
                ex.printStackTrace(err);
            }
            err.flush();
            return ex instanceof UsageError ? 2 : 1;
        });
        return cli.execute(args);
    }

    /** Version from the jar's manifest, else "dev". */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"convkit " + (v == null ? "dev" : v)};
        }
    }
}
