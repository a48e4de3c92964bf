package org.convkit.cli;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.convkit.core.ConvkitException;
import org.convkit.core.EngineSettings.Precision;
import org.convkit.model.engine.EngineCheck;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * {@code --precision fp32|bf16} for the commands that run a network on libtorch: eval, predict,
 * serve, forward, and train, finetune and lr-find (through {@link TrainArgs}, where it is the training
 * config key {@code precision}, which a config file may give instead). Declared once.
 *
 * <p>bfloat16 is a property of the process: oneDNN reads {@link EngineCheck#FPMATH_ENV} when the
 * process starts convolving. So {@code --precision bf16} in a JVM started without it runs the same
 * command again in a child JVM (same java, JVM options, class path and arguments) with it set, and
 * ends with the child's exit code; on a CPU without bfloat16 instructions, or where bf16 did not pass
 * the engine self-check ({@link EngineCheck#bf16}), it says so in one line and runs fp32 here.
 */
public final class PrecisionArgs {
    @Option(names = "--precision", paramLabel = "P",
            description = "fp32, or bf16: convolutions run in bfloat16 (oneDNN, float32 accumulation); linear layers,"
                    + " BatchNorm, the weights and the loss stay float32. bf16 needs a CPU with bfloat16 instructions"
                    + " where it passed the engine self-check (convkit doctor); else fp32 with a note (default: fp32).")
    public String precision;

    /**
     * Runs the command in a bf16 child JVM when bf16 is asked for and this JVM cannot compute it.
     *
     * @return the child's exit code when it ran, else null (go on here)
     */
    public Integer relaunchIfNeeded(CommandLine.Model.CommandSpec spec) {
        return relaunchIfNeeded(precision, false, spec);
    }

    /** {@link #relaunchIfNeeded(CommandLine.Model.CommandSpec)} for a precision given elsewhere (train's config). */
    static Integer relaunchIfNeeded(String precision, boolean training, CommandLine.Model.CommandSpec spec) {
        if (precision == null || Precision.parse(precision, "--precision") != Precision.BF16
                || EngineCheck.processPrecision() == Precision.BF16) {
            return null; // nothing to do
        }
        if (!EngineCheck.bf16(training)) {
            return null; // no bfloat16 here, or it did not pass the engine self-check: said, fp32 in this JVM
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(spec.root().commandLine().getParseResult().originalArgs());
        ProcessBuilder pb = new ProcessBuilder(cmd).inheritIO();
        pb.environment().put(EngineCheck.FPMATH_ENV, "BF16");
        try {
            Process child = pb.start();
            // a signal to this JVM (Ctrl-C, a service manager's stop) reaches the child too
            Thread stop = new Thread(() -> {
                child.destroy();
                try {
                    child.waitFor();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            Runtime.getRuntime().addShutdownHook(stop);
            int code = child.waitFor();
            Runtime.getRuntime().removeShutdownHook(stop);
            return code;
        } catch (IOException e) {
            throw new ConvkitException("--precision bf16: could not start the JVM that computes in bfloat16 (" + e.getMessage()
                    + "); or start convkit with " + EngineCheck.FPMATH_ENV + "=BF16 in its environment", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 130;
        }
    }
}
