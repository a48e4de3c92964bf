package org.convkit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.convkit.data.TestImages;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The data options ({@link DataArgs}, {@link ClassNamesArgs}) on the data commands, each shown to
 * change what is read, on small real folders: a Kaggle-style root (labels in file names, a flat
 * test1/) and a folder labeled by a CSV given with --labels.
 */
class DataOptionsTest {
    @TempDir
    Path dir;

    /** Kaggle's dogs-vs-cats as downloaded: train/cat.0.jpg ..., test1/1.jpg ... */
    private Path kaggle() {
        Path r = dir.resolve("dogs-vs-cats");
        for (int i = 0; i < 4; i++) {
            TestImages.write(r.resolve("train/cat." + i + ".jpg"), 12, 12, i);
            TestImages.write(r.resolve("train/dog." + i + ".jpg"), 12, 12, 10 + i);
        }
        TestImages.write(r.resolve("test1/1.jpg"), 12, 12, 30);
        TestImages.write(r.resolve("test1/2 b.JPG"), 12, 12, 31);
        return r;
    }

    @Test
    void inspectSaysWhichLayoutItRecognizedAndWhy() {
        Path r = kaggle();
        CliRun without = CliRun.of("data", "inspect", r.toString());
        assertEquals(1, without.exit, without.out);
        assertTrue(without.err.contains("--labels-from class.N.ext"), without.err);
        CliRun with = CliRun.of("data", "inspect", r.toString(), "--labels-from", "class.N.ext");
        assertEquals(0, with.exit, with.err);
        assertTrue(with.out.contains("layout:\n  split folders: train/, test1/\n  train/ labels from file names"), with.out);
        assertTrue(with.out.contains("test1/ 2 images, no name matches --labels-from class.N.ext: unlabeled"), with.out);
        assertTrue(with.out.contains("classes: cat 4, dog 4"), with.out);
        CliRun json = CliRun.of("data", "inspect", r.toString(), "--labels-from", "class.N.ext", "--json");
        assertEquals(0, json.exit, json.err);
        assertTrue(json.out.contains("\"layout\" : [ \"split folders: train/, test1/\""), json.out);
    }

    @Test
    void labelsImagesAndClassNamesOnInspectAndPack() throws Exception {
        Path imgs = dir.resolve("pics");
        TestImages.write(imgs.resolve("a 1.jpg"), 12, 12, 1);
        TestImages.write(imgs.resolve("b.png"), 12, 12, 2);
        TestImages.write(imgs.resolve("c.jpg"), 12, 12, 3);
        Path csv = Files.writeString(dir.resolve("labels.csv"), "\"a 1.jpg\",0\nb.png,1\nc.jpg,1\n");
        CliRun r = CliRun.of("data", "inspect", dir.toString(), "--labels", csv.toString(), "--images", imgs.toString(),
                "--class-names", "ant,bee");
        assertEquals(0, r.exit, r.err);
        assertTrue(r.out.contains("classes: ant 1, bee 2"), r.out);
        assertTrue(r.out.contains("labels from --labels " + csv), r.out);
        CliRun p = CliRun.of("data", "pack", imgs.toString(), "--labels", csv.toString(), "--class-names", "ant,bee",
                "--out", dir.resolve("shards").toString());
        assertEquals(0, p.exit, p.err);
        assertTrue(p.out.contains("train       3 records"), p.out);
        assertTrue(Files.readString(dir.resolve("shards/manifest.json")).contains("\"bee\""));
        CliRun nothing = CliRun.of("data", "inspect", "fashion-mnist", "--no-download");
        // with Debian's dataset-fashion-mnist installed the data is found without a download
        assertTrue(nothing.exit == 0 || nothing.err.contains("--no-download"), nothing.err);
        // what the flag means, whether or not this machine has the data: opening may not acquire it
        DataArgs given = new DataArgs();
        new picocli.CommandLine(given).parseArgs("--no-download");
        assertFalse(given.applyTo(org.convkit.data.OpenOptions.defaults()).acquire(), "--no-download acquires nothing");
        assertTrue(new DataArgs().applyTo(org.convkit.data.OpenOptions.defaults()).acquire(), "acquiring is the default");
    }
}
