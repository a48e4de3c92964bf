package org.convkit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.convkit.model.ModelKnobs;
import org.convkit.data.OpenOptions;
import org.convkit.train.TrainConfig;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The flags declared once and mixed into several commands (--valid-split, --heads, --device,
 * --precision, --model, --force) keep each command's defaults and still reach what it reads.
 */
class SharedFlagsTest {

    @Test
    void dataCommandsShowTheSplitsOnDiskUnlessTold() {
        DataPackCommand pack = new DataPackCommand();
        new CommandLine(pack).parseArgs("src", "--out", "shards");
        OpenOptions o = pack.data.options(0.0);
        assertEquals(0.0, o.validSplit(), 0);
        assertEquals(0, o.heads(), "0: the longest label");
        assertEquals(0, o.seed());
        assertTrue(!pack.replace.force);

        DataPackCommand given = new DataPackCommand();
        new CommandLine(given).parseArgs("src", "--out", "shards", "--valid-split", "0.2", "--heads", "4", "--seed", "7",
                "--force");
        OpenOptions g = given.data.options(0.0);
        assertEquals(0.2, g.validSplit(), 0);
        assertEquals(4, g.heads());
        assertEquals(7, g.seed());
        assertTrue(given.replace.force);
    }

    @Test
    void trainTakesOnlyWhatTheCommandLineGives() {
        // a flag not given must stay out of the config, so that --config's file (or the recipe) decides
        CommandLine none = new CommandLine(new TrainCommand());
        none.parseArgs();
        TrainConfig c = TrainArgs.config(none.getCommandSpec());
        assertNull(c.validSplit());
        assertNull(c.heads());
        assertNull(c.device());
        assertNull(c.precision());
        assertNull(c.model());
        assertNull(c.seed());

        CommandLine given = new CommandLine(new TrainCommand());
        given.parseArgs("--valid-split", "0.2", "--heads", "4", "--device", "cuda:1", "--precision", "bf16", "-m", "lenet",
                "--seed", "3");
        TrainConfig g = TrainArgs.config(given.getCommandSpec());
        assertEquals(0.2, g.validSplit(), 0);
        assertEquals(4, g.heads());
        assertEquals("cuda:1", g.device());
        assertEquals("bf16", g.precision());
        assertEquals("lenet", g.model());
        assertEquals(3L, g.seed());
    }

    @Test
    void inferenceRunsOnTheCpuUnlessTold() {
        CommandLine forward = new CommandLine(new ForwardCommand());
        forward.parseArgs("--input", "x.npy", "--out", "y.npy");
        assertEquals("cpu", forward.getCommandSpec().findOption("--device").getValue());
        assertNull(forward.getCommandSpec().findOption("--precision").getValue());
        forward.parseArgs("--input", "x.npy", "--out", "y.npy", "--device", "cuda", "--model", "lenet");
        assertEquals("cuda", forward.getCommandSpec().findOption("--device").getValue());
        assertEquals("lenet", forward.getCommandSpec().findOption("-m").getValue());
    }

    @Test
    void aBf16ChildRunsTheWholeCommandLineOfEvalPredictAndServe() {
        // InferenceArgs holds the command's spec for --precision bf16's child JVM: the command it is
        // mixed into, whose root parsed the arguments the child is given
        for (String name : List.of("eval", "predict", "serve")) {
            List<String> args = name.equals("predict")
                    ? List.of(name, "--checkpoint", "run", "--precision", "bf16", "--input", "x.png")
                    : List.of(name, "--checkpoint", "run", "--precision", "bf16");
            CommandLine cli = Main.commandLine();
            CommandLine.ParseResult parsed = cli.parseArgs(args.toArray(String[]::new));
            Object command = parsed.subcommand().commandSpec().userObject();
            InferenceArgs run = command instanceof EvalCommand e ? e.run
                    : command instanceof PredictCommand p ? p.run : ((ServeCommand) command).run;
            assertEquals(name, run.spec.name());
            assertEquals(args, run.spec.root().commandLine().getParseResult().originalArgs());
            assertEquals("bf16", run.precision.precision);
        }
    }

    @Test
    void theModelKnobFlagsAreTheKnobNamesAndEachReachesItsOwnKnob() {
        // ModelKnobs.byName() is the one list of knob names: ModelOptions.requireOnly refuses by it,
        // ModelFlags.shapeFlagsGiven reports by it, and train reads them as config keys of those names
        List<String> declared = new CommandLine(new ModelKnobsArgs()).getCommandSpec().options().stream()
                .map(o -> o.longestName()).filter(n -> !n.equals("--model")).toList();
        assertEquals(ModelKnobs.NONE.byName().keySet().stream().map(n -> "--" + n).toList(), declared);

        Map<String, Object> values = Map.of("width", 0.5, "arch", "1x64", "fc", "512", "dropout", 0.3, "stem", "cifar",
                "activation", "sigmoid", "pool", "concat");
        assertEquals(ModelKnobs.NONE.byName().keySet(), values.keySet());
        for (var e : values.entrySet()) {
            String flag = "--" + e.getKey();
            ModelKnobsArgs args = new ModelKnobsArgs();
            new CommandLine(args).parseArgs(flag, e.getValue().toString());
            assertEquals(List.of(flag), args.knobs().flagsGiven(), flag);
            assertEquals(e.getValue(), args.knobs().byName().get(e.getKey()), flag);

            CommandLine train = new CommandLine(new TrainCommand());
            train.parseArgs(flag, e.getValue().toString());
            ModelKnobs fromConfig = TrainArgs.config(train.getCommandSpec()).knobs();
            assertEquals(args.knobs(), fromConfig, flag + " as a training config key");
        }
    }
}
