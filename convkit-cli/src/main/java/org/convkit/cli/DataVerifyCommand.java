package org.convkit.cli;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.convkit.core.Progress;
import org.convkit.data.shard.Manifest;
import org.convkit.data.shard.ShardVerifier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "verify", mixinStandardHelpOptions = true,
        description = "Check every record of a shard folder (CRC32C, lengths, labels) and every index; list bad records by"
                + " shard and offset. Exit code 1 when anything is wrong.")
final class DataVerifyCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "DIR", description = "A folder written by `convkit data pack`.")
    Path dir;

    @Override
    public Integer call() {
        Manifest m = Manifest.read(dir);
        long total = m.splits().values().stream().mapToLong(Manifest.SplitInfo::count).sum();
        ShardVerifier.Report r;
        try (Progress bar = new Progress("verify", total, "rec")) {
            r = ShardVerifier.verify(dir, bar::advance);
        }
        if (r.ok()) {
            System.out.printf(Locale.ROOT, "ok: %d records, %.1f MB, every CRC and index checked%n", r.records(), r.bytes() / 1e6);
            return 0;
        }
        System.out.println(r.problems().size() + " problem(s) in " + dir + ":");
        r.problems().forEach(p -> System.out.println("  " + p));
        return 1;
    }
}
