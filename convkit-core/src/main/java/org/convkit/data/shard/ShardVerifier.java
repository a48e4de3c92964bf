package org.convkit.data.shard;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongConsumer;
import org.convkit.data.Sample;

/**
 * Checks a shard folder completely: the manifest, every shard's footer and index (CRC, offsets
 * contiguous), and every record (length, CRC32C, labels within the classes, counts as the
 * manifest says). Reads each shard once, front to back.
 */
public final class ShardVerifier {
    private ShardVerifier() {}

    /** One problem: where (shard file, byte offset, record number or -1) and what. */
    public record Problem(String shard, long offset, int record, String reason) {
        @Override
        public String toString() {
            return shard + (offset >= 0 ? " @ offset " + offset : "") + (record >= 0 ? " (record " + record + ")" : "") + ": " + reason;
        }
    }

    /** The outcome: records checked, and the problems found (empty = all good). */
    public record Report(long records, long bytes, List<Problem> problems) {
        public boolean ok() {
            return problems.isEmpty();
        }
    }

    /**
     * @param progress gets the number of records checked as it goes (for a progress bar)
     */
    public static Report verify(Path dir, LongConsumer progress) {
        Manifest m = Manifest.read(dir);
        List<Problem> problems = new ArrayList<>();
        long records = 0;
        long bytes = 0;
        for (var split : m.splits().entrySet()) {
            int count = 0;
            for (Manifest.ShardInfo s : split.getValue().shards()) {
                Path f = dir.resolve(s.file());
                if (!Files.isRegularFile(f)) {
                    problems.add(new Problem(s.file(), -1, -1, "missing (listed in " + Manifest.FILE + ")"));
                    continue;
                }
                ShardIndex idx;
                try {
                    idx = ShardIndex.read(f);
                } catch (IOException e) {
                    problems.add(new Problem(s.file(), -1, -1, e.getMessage().replace(f.toString() + ": ", "")));
                    continue;
                }
                if (idx.count() != s.count()) {
                    problems.add(new Problem(s.file(), -1, -1, "index holds " + idx.count() + " records, the manifest says " + s.count()));
                }
                if (idx.heads() != m.heads()) {
                    problems.add(new Problem(s.file(), -1, -1, "K=" + idx.heads() + " labels per record, the manifest says " + m.heads()));
                    continue;
                }
                bytes += checkRecords(f, idx, m.classes().size(), s.file(), problems, progress);
                records += idx.count();
                count += idx.count();
            }
            if (count != split.getValue().count()) {
                problems.add(new Problem(split.getKey(), -1, -1, "split holds " + count + " records, the manifest says " + split.getValue().count()));
            }
        }
        return new Report(records, bytes, problems);
    }

    private static long checkRecords(Path f, ShardIndex idx, int classes, String name, List<Problem> problems, LongConsumer progress) {
        long pos = 0;
        try (InputStream in = new BufferedInputStream(Files.newInputStream(f), 1 << 20)) {
            in.skipNBytes(ShardFormat.MAGIC.length);
            pos = ShardFormat.MAGIC.length;
            for (int i = 0; i < idx.count(); i++) {
                long off = idx.offsets()[i];
                byte[] rec = new byte[idx.length(i)];
                int n = in.readNBytes(rec, 0, rec.length);
                pos += n;
                if (n < rec.length) {
                    problems.add(new Problem(name, off, i, "file ends inside the record"));
                    break;
                }
                try {
                    Sample s = ShardFormat.parse(rec, idx.heads());
                    int[] fromIndex = idx.labelsOf(i);
                    if (!java.util.Arrays.equals(fromIndex, s.labels())) {
                        problems.add(new Problem(name, off, i, "labels " + java.util.Arrays.toString(s.labels())
                                + " differ from the index's " + java.util.Arrays.toString(fromIndex)));
                    }
                    for (int l : s.labels()) {
                        if (l < 0 || l >= classes) {
                            problems.add(new Problem(name, off, i, "label " + l + " outside the " + classes + " classes"));
                            break;
                        }
                    }
                } catch (IOException e) {
                    problems.add(new Problem(name, off, i, e.getMessage()));
                }
                progress.accept(1);
            }
        } catch (IOException e) {
            problems.add(new Problem(name, pos, -1, "read failed: " + e.getMessage()));
        }
        return pos;
    }
}
