package org.convkit.cli;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import org.convkit.core.Json;
import org.convkit.data.Dataset;
import org.convkit.data.load.Datasets;
import org.convkit.data.image.Pipeline;
import org.convkit.data.image.PipelineParser;
import org.convkit.data.image.Presets;
import org.convkit.data.inspect.ContactSheet;
import org.convkit.data.inspect.InspectReport;
import org.convkit.data.inspect.Inspector;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = "Classes and counts per split, image sizes and modes, unreadable files, class imbalance, duplicates"
                + " across splits (SHA-256 of the bytes); --sheet draws a few images per class.")
final class DataInspectCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "PATH", description = "A dataset folder, label file, shard folder or name.")
    String path;

    @Option(names = "--json", description = "Print the report as JSON.")
    boolean json;

    @Option(names = "--sheet", paramLabel = "PNG", description = "Write a contact sheet of the training images.")
    Path sheet;

    @Option(names = "--per-class", defaultValue = "8", description = "Images per class on the sheet (default: ${DEFAULT-VALUE}).")
    int perClass;

    @Option(names = "--augment", defaultValue = "standard",
            description = "Training transforms shown on the sheet: none, light, standard (default: ${DEFAULT-VALUE}).")
    String augment;

    @Option(names = "--size", defaultValue = "0", paramLabel = "S",
            description = "Model input size for the sheet's transforms; 0 = the images' own size when they all share one, else 224.")
    int size;

    @Option(names = "--transforms", paramLabel = "SPEC",
            description = "An explicit training pipeline for the sheet instead of --augment, e.g. randomresizedcrop=224,hflip.")
    String transforms;

    @Option(names = "--channels", defaultValue = "0", description = "1 or 3: what the model gets; 0 = the dataset's own.")
    int channels;

    @Option(names = "--threads", defaultValue = "0", description = "Decoding threads; 0 = one per core.")
    int threads;

    @Mixin
    DataSourceArgs data;

    @Override
    public Integer call() throws Exception {
        // show the splits as they are on disk unless --valid-split is given
        Dataset ds = Datasets.open(path, data.options(0.0));
        int t = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
        InspectReport r = Inspector.inspect(ds, t);
        if (sheet != null) {
            var src = ds.train() != null ? ds.train() : ds.splitNames().isEmpty() ? null : ds.split(ds.splitNames().get(0));
            int s = size > 0 ? size : ownSize(ds, r);
            Pipeline p = transforms != null ? PipelineParser.parse(transforms, "--transforms")
                    : Presets.train(Presets.Augment.parse(augment), s, null);
            int c = channels > 0 ? channels : ds.channels() != null ? ds.channels() : 3;
            int n = ContactSheet.write(src, perClass, sheet, p, c, data.seed);
            System.err.println("contact sheet: " + sheet + " (" + n + " images after " + p.spec() + ")");
        }
        if (json) {
            System.out.println(Json.prettyString(r));
            return 0;
        }
        System.out.println(ds.describe());
        if (!ds.layout().isEmpty()) {
            System.out.println("layout:");
            ds.layout().forEach(l -> System.out.println("  " + l));
        }
        for (InspectReport.SplitReport s : r.splits()) {
            System.out.printf(Locale.ROOT, "%n%s: %d samples%n", s.split(), s.count());
            System.out.println("  classes: " + counts(s.classCounts()));
            if (s.imbalance() != null) {
                System.out.printf(Locale.ROOT, "  imbalance (largest/smallest class): %.2f%n", s.imbalance());
            }
            System.out.println("  sizes:   " + counts(s.sizes()));
            System.out.println("  modes:   " + counts(s.modes()) + "   formats: " + counts(s.formats()));
            if (!s.unreadable().isEmpty()) {
                System.out.println("  unreadable (" + s.unreadable().size() + "):");
                s.unreadable().forEach(p -> System.out.println("    " + p.file() + ": " + p.reason()));
            }
        }
        System.out.println();
        System.out.println("duplicates: " + r.duplicateCount() + " (across splits: " + r.crossSplitDuplicates().size() + ")");
        r.crossSplitDuplicates().stream().limit(10).forEach(d ->
                System.out.println("  " + d.firstSplit() + " " + d.firstId() + " = " + d.secondSplit() + " " + d.secondId()));
        if (!r.skipped().isEmpty()) {
            System.out.println("left out when opening (" + r.skipped().size() + "):");
            r.skipped().stream().limit(20).forEach(s -> System.out.println("  " + DataPackCommand.line(s)));
            if (r.skipped().size() > 20) {
                System.out.println("  ... (--json lists all)");
            }
        }
        r.warnings().forEach(w -> System.out.println("warning: " + w));
        return 0;
    }

    private static String counts(Map<String, Integer> m) {
        StringBuilder sb = new StringBuilder();
        m.forEach((k, v) -> sb.append(sb.length() == 0 ? "" : ", ").append(k).append(' ').append(v));
        return sb.toString();
    }

    /**
     * The sheet's size when --size is 0: the images' own size when they are all one square size, else 224.
     * A folder of images declares no size of its own (only IDX, CIFAR and shards do), so the sizes the
     * inspection read from the headers decide: without this, a folder of 32 px thumbnails was shown
     * through the 224 px ImageNet crop that training at their own size never applies.
     */
    private static int ownSize(Dataset ds, InspectReport r) {
        if (ds.width() != null && ds.width().equals(ds.height())) {
            return ds.width();
        }
        Set<String> sizes = new HashSet<>();
        r.splits().forEach(s -> sizes.addAll(s.sizes().keySet()));
        if (sizes.size() == 1) {
            String[] wh = sizes.iterator().next().split("x");
            if (wh.length == 2 && wh[0].equals(wh[1]) && wh[0].matches("\\d+")) {
                return Integer.parseInt(wh[0]);
            }
        }
        return 224;
    }
}
