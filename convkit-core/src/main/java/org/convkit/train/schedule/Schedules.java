package org.convkit.train.schedule;

import java.util.List;
import java.util.Locale;
import org.convkit.core.ConvkitException;

/** The schedules by the names {@code --schedule} takes. */
public final class Schedules {
    public static final List<String> NAMES = List.of("constant", "step", "cosine", "onecycle");

    private Schedules() {}

    /**
     * @param name constant, step, cosine or onecycle
     * @param epochs epochs of the run
     * @param stepsPerEpoch optimizer steps per epoch (batches / gradient accumulation)
     * @param warmupEpochs linear warm-up length in epochs (may be fractional; 0 = none); for
     *     onecycle it is the climbing phase ({@code pct_start = warmup / epochs}, default 0.3)
     * @param stepEpochs for {@code step}: decay every this many epochs ({@code null} = a third of
     *     the run)
     * @param gamma for {@code step}: the decay factor ({@code null} = 0.1)
     */
    public static Schedule create(String name, int epochs, long stepsPerEpoch, double warmupEpochs, Integer stepEpochs,
            Double gamma) {
        String n = name.toLowerCase(Locale.ROOT);
        long total = Math.max(1, epochs * stepsPerEpoch);
        long warmupSteps = Math.round(warmupEpochs * stepsPerEpoch);
        if (warmupEpochs < 0) {
            throw new ConvkitException("--warmup " + warmupEpochs + ": must be >= 0 (epochs)");
        }
        Schedule base = switch (n) {
            case "constant" -> new Constant();
            case "step" -> {
                int every = stepEpochs != null ? stepEpochs : Math.max(1, epochs / 3);
                if (every < 1) {
                    throw new ConvkitException("--step-epochs " + every + ": must be at least 1");
                }
                yield new StepDecay(every * stepsPerEpoch, gamma != null ? gamma : 0.1);
            }
            case "cosine" -> new Cosine(total, 0);
            case "onecycle" -> {
                if (warmupEpochs > 0 && warmupEpochs >= epochs) {
                    throw new ConvkitException("--warmup " + warmupEpochs + " with --schedule onecycle: the"
                            + " climbing phase must be shorter than --epochs " + epochs);
                }
                // the climb as a share of the run, torch's pct_start (default 0.3)
                yield warmupEpochs > 0 ? OneCycle.withWarmup(total, warmupEpochs / epochs) : OneCycle.of(total);
            }
            default -> throw new ConvkitException(
                    "--schedule " + name + ": unknown; choose one of " + String.join(", ", NAMES));
        };
        if (n.equals("onecycle") || warmupSteps <= 0) {
            return base;
        }
        return new Warmup(base, warmupSteps, Warmup.DEFAULT_START);
    }
}
