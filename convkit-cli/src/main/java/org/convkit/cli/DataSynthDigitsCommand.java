package org.convkit.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.convkit.data.synth.StreetNumbers;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "synth-digits", mixinStandardHelpOptions = true,
        description = "Generate a street-number dataset in the Tianchi layout (mchar_train.json + mchar_train/*.png,"
                + " mchar_val, mchar_test): 1..K digits drawn with Java2D fonts at varied size, position and colour,"
                + " with noise. Train on it with --data DIR (K heads, blank class).")
final class DataSynthDigitsCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "DIR", description = "Output folder.")
    Path dir;

    @Option(names = "--train", defaultValue = "6000", description = "Training images (default: ${DEFAULT-VALUE}).")
    int train;

    @Option(names = "--valid", defaultValue = "1000", description = "Validation images (default: ${DEFAULT-VALUE}).")
    int valid;

    @Option(names = "--test", defaultValue = "1000", description = "Test images (default: ${DEFAULT-VALUE}).")
    int test;

    @Option(names = "--size", defaultValue = "48", description = "Image size S x S (default: ${DEFAULT-VALUE}).")
    int size;

    @Option(names = "--max-digits", defaultValue = "4", description = "Numbers have 1..K digits (default: ${DEFAULT-VALUE}).")
    int maxDigits;

    @Option(names = "--noise", defaultValue = "12", description = "Pixel noise, standard deviation on 0..255 (default: ${DEFAULT-VALUE}).")
    double noise;

    @Option(names = "--seed", defaultValue = "0", description = "Seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() throws Exception {
        List<Path> files = StreetNumbers.write(dir, train, valid, test, new StreetNumbers.Options(size, maxDigits, noise), seed);
        for (Path f : files) {
            System.out.println("wrote " + f);
        }
        return 0;
    }
}
