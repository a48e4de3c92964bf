package org.convkit.data.fetch;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.convkit.core.ConvkitException;
import org.convkit.core.Runtime;
import org.convkit.data.OpenOptions;
import org.convkit.data.source.CifarBinary;
import org.convkit.data.source.Idx;
import org.convkit.data.source.ImageFolder;

/**
 * Datasets known by name ({@code fashion-mnist}, {@code mnist}, {@code cifar10}): where they are
 * looked for, and for Fashion-MNIST, getting it when it is absent.
 */
public final class NamedDatasets {
    /** The names {@link org.convkit.data.load.Datasets#open} accepts instead of a path. */
    public static final List<String> NAMES = List.of("fashion-mnist", "mnist", "cifar10");

    /** Where Debian's dataset packages put their files. */
    public static final Path DEBIAN_DATASETS = Path.of("/usr/share/datasets");

    private NamedDatasets() {}

    public static boolean isName(String spec) {
        return NAMES.contains(spec.toLowerCase(Locale.ROOT));
    }

    /** {@code dataHome} of the options, else {@code $CONVKIT_DATA}, else {@code $CONVKIT_HOME/data}. */
    public static Path dataHome(OpenOptions options) {
        if (options.dataHome() != null) {
            return options.dataHome();
        }
        String env = System.getenv("CONVKIT_DATA");
        return env != null && !env.isBlank() ? Path.of(env) : Runtime.home().resolve("data");
    }

    /** The folder holding the named dataset, or {@code null} when it is in none of its places. */
    public static Path locate(String name, Path dataHome) {
        return locate(name, DEBIAN_DATASETS, dataHome);
    }

    static Path locate(String name, Path systemDir, Path dataHome) {
        String n = name.toLowerCase(Locale.ROOT);
        for (Path d : List.of(systemDir.resolve(n), dataHome.resolve(n))) {
            if (complete(n, d)) {
                return d;
            }
        }
        return null;
    }

    /** True when {@code dir} holds the whole dataset (both splits). */
    static boolean complete(String name, Path dir) {
        if (!Files.isDirectory(dir)) {
            return false;
        }
        if (name.equals("cifar10")) {
            CifarBinary.Layout l = CifarBinary.find(dir);
            return (l != null && !l.cifar100() && !l.train().isEmpty() && !l.test().isEmpty())
                    || ImageFolder.splitFolders(dir).containsKey("train");
        }
        var idx = Idx.find(dir);
        return idx.containsKey("train") && idx.containsKey("test");
    }

    /**
     * The folder of the named dataset; Fashion-MNIST is installed or downloaded when absent and
     * {@code options.acquire()}, saying so on {@code log}.
     */
    public static Path ensure(String name, OpenOptions options, PrintStream log) {
        return ensure(name, options, log, DEBIAN_DATASETS);
    }

    static Path ensure(String name, OpenOptions options, PrintStream log, Path systemDir) {
        String n = name.toLowerCase(Locale.ROOT);
        Path home = dataHome(options);
        Path found = locate(n, systemDir, home);
        if (found != null) {
            return found;
        }
        switch (n) {
            case "fashion-mnist" -> {
                if (!options.acquire()) {
                    throw new ConvkitException("Fashion-MNIST not found in " + systemDir.resolve(n) + " nor " + home.resolve(n)
                            + ". Install it with: " + FashionMnistFetch.APT_COMMAND + " (Debian/Ubuntu, as root), or run again"
                            + " without --no-download to download it into " + home.resolve(n) + ".");
                }
                return FashionMnistFetch.acquire(FashionMnistFetch.Plan.standard(home), log);
            }
            case "mnist" -> throw new ConvkitException("MNIST not found in " + home.resolve(n)
                    + ". Put its four IDX files there (train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz,"
                    + " t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz; e.g. from the mirror torchvision uses,"
                    + " https://ossci-datasets.s3.amazonaws.com/mnist/), or set CONVKIT_DATA to the folder that holds mnist/.");
            case "cifar10" -> throw new ConvkitException("CIFAR-10 not found in " + home.resolve(n)
                    + ". Download the binary version (https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz) and"
                    + " extract it there (tar xzf cifar-10-binary.tar.gz -C " + home.resolve(n)
                    + "), or pass a folder in the ImageFolder layout (train/<class>/*.png).");
            default -> throw new ConvkitException("unknown dataset name " + name + "; known: " + String.join(", ", NAMES));
        }
    }
}
