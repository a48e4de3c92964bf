package org.convkit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashSet;
import java.util.Set;
import org.convkit.train.TrainConfig;
import org.convkit.transfer.FineTuneOptions;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/** finetune's flags are the training keys plus the fine-tuning keys, and nothing else. */
class FinetuneCommandTest {
    private static final Set<String> NOT_CONFIG = Set.of("config", "resume", "help", "version", "debug");

    @Test
    void everyFlagIsAConfigKeyAndBack() {
        CommandLine cli = new CommandLine(new FinetuneCommand());
        Set<String> keys = new LinkedHashSet<>(TrainConfig.keys());
        keys.addAll(FineTuneOptions.keys());
        Set<String> flags = new LinkedHashSet<>();
        for (OptionSpec o : cli.getCommandSpec().options()) {
            // an option with another name as well (--from, --weights) is the key one of its names is
            String name = java.util.Arrays.stream(o.names()).map(n -> n.replaceFirst("^--", "")).filter(keys::contains)
                    .findFirst().orElse(o.longestName().replaceFirst("^--", ""));
            if (!NOT_CONFIG.contains(name)) {
                flags.add(name);
            }
        }
        assertEquals(keys, flags);
    }

    @Test
    void lrTakesAutoAndRoundTripsThroughTheConfig() {
        CommandLine cli = new CommandLine(new TrainCommand());
        cli.parseArgs("--lr", "auto", "--heads", "4");
        TrainConfig c = TrainArgs.config(cli.getCommandSpec());
        assertTrue(c.lrAuto());
        assertEquals(4, c.heads());
        assertEquals("auto", c.toMap().get("lr"), "written as the word the user typed");
        assertTrue(TrainConfig.fromMap(c.toMap(), "test").lrAuto(), "and read back");
        assertEquals(0.03, TrainConfig.fromMap(java.util.Map.of("lr", 0.03), "test").lr(), 0);
        CommandLine.ParameterException bad = org.junit.jupiter.api.Assertions.assertThrows(
                CommandLine.ParameterException.class, () -> new CommandLine(new TrainCommand()).parseArgs("--lr", "fast"));
        assertTrue(bad.getMessage().contains("positive number") && bad.getMessage().contains("auto"), bad.getMessage());
    }
}
