package org.convkit.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Row;
import org.convkit.data.Skipped;
import org.convkit.data.source.FileEntry;
import org.convkit.data.source.FolderScan;
import org.convkit.data.source.UnlabeledFolder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The driver's listing of a local folder (its own walk of Hadoop's {@code listStatus}, not {@code
 * listFiles}, which runs a process per file there) finds what {@code convkit predict}'s walk
 * finds, with the same ids, and leaves out the same files.
 */
class ImageFilesTest {
    @Test
    void aLocalFolderIsListedAsPredictListsIt(@TempDir Path dir) throws IOException {
        for (String f : List.of("cat/1.jpg", "cat/deep/er/2.png", "dog/3.JPEG", "4.bmp", ".hidden/5.jpg", "dog/.6.jpg",
                "notes.txt", "dog/moving.gif")) {
            Files.createDirectories(dir.resolve(f).getParent());
            Files.write(dir.resolve(f), new byte[] {1, 2, 3});
        }
        Files.createFile(dir.resolve("cat/empty.jpg"));

        ImageFiles.Listing listing = ImageFiles.list(dir.toString(), new Configuration());
        FolderScan predict = UnlabeledFolder.scan(dir);

        assertEquals(predict.entries().stream().map(FileEntry::id).sorted().toList(),
                listing.images().stream().map((Row r) -> r.getString(1)).toList());
        assertEquals(List.of("4", "cat/1", "cat/deep/er/2", "dog/3"), listing.images().stream().map((Row r) -> r.getString(1)).toList());
        assertEquals(predict.skipped().stream().map(Skipped::id).sorted().toList(),
                listing.skipped().stream().map(Skipped::id).toList());
        for (Row r : listing.images()) {
            assertEquals(3L, r.getLong(2), "the size of " + r.getString(0));
        }
        assertEquals(dir.toUri().getPath().replaceAll("/$", ""), new org.apache.hadoop.fs.Path(listing.root()).toUri().getPath());
    }
}
