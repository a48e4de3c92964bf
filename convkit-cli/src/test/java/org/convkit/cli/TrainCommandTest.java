package org.convkit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.convkit.train.TrainConfig;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/** Flags and config-file keys are the same names, both ways. */
class TrainCommandTest {
    private static final Set<String> NOT_CONFIG = Set.of("config", "resume", "help", "version", "debug");

    @Test
    void everyFlagIsAConfigKeyAndBack() {
        CommandLine cli = new CommandLine(new TrainCommand());
        List<String> flags = new ArrayList<>();
        for (OptionSpec o : cli.getCommandSpec().options()) {
            String name = o.longestName().replaceFirst("^--", "");
            if (!NOT_CONFIG.contains(name)) {
                flags.add(name);
            }
        }
        assertTrue(TrainConfig.keys().containsAll(flags), "flags without a config key: " + flags);
        assertTrue(flags.containsAll(TrainConfig.keys()), "config keys without a flag: " + TrainConfig.keys());
        assertEquals(flags.size(), TrainConfig.keys().size());
    }
}
