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
            DoctorCommand.class
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
        CommandLine cli = commandLine();
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

    /** The command line with every command, {@code spark} included. */
    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new Main());
        cli.addSubcommand("spark", sparkCommand());
        cli.addSubcommand(new CommandLine.HelpCommand());
        // "@FILE" is convkit's own syntax (--class-names @names.txt); picocli would otherwise read
        // the file as more arguments
        cli.setExpandAtFiles(false);
        return cli;
    }

    /**
     * {@code convkit spark}: the commands of the convkit-spark module when it is on the class path
     * (the launcher's {@code ./convkit spark}, spark-submit with that module's jar), else a command
     * that says how to get them. The module depends on this one, not the reverse: Spark is hundreds
     * of megabytes that {@code convkit train} must not build, download or load.
     */
    private static Object sparkCommand() {
        try {
            return Class.forName("org.convkit.spark.cli.SparkCommand").getDeclaredConstructor().newInstance();
        } catch (ClassNotFoundException e) {
            return new SparkMissing();
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("the spark command cannot be made", e);
        }
    }

    @Command(name = "spark", description = "Predict, evaluate and pack as Apache Spark jobs (needs the convkit-spark"
            + " module: run it as ./convkit spark ..., or spark-submit convkit-spark-*-all.jar).")
    static final class SparkMissing implements java.util.concurrent.Callable<Integer> {
        @CommandLine.Unmatched
        java.util.List<String> rest;

        @Override
        public Integer call() {
            throw new ConvkitException("convkit spark needs the convkit-spark module and Spark, which this jar leaves out:"
                    + " run it through the launcher (./convkit spark ..., which builds them and puts them on the class path),"
                    + " or submit convkit-spark/target/convkit-spark-*-all.jar with spark-submit (see docs/spark.md)");
        }
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
