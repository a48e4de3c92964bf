package org.convkit.data.source;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.convkit.core.ConvkitException;
import org.convkit.data.Skipped;
import org.convkit.data.TestImages;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LabelFilesTest {
    @TempDir
    Path dir;

    private static String reasons(List<Skipped> s) {
        return s.stream().map(k -> k.file() + ": " + k.reason()).toList().toString();
    }

    @Test
    void csvWithHeaderAndClassNames() throws Exception {
        TestImages.write(dir.resolve("imgs/a.jpg"), 8, 8, 1);
        TestImages.write(dir.resolve("imgs/sub/b.png"), 8, 8, 2);
        TestImages.write(dir.resolve("imgs/c.jpg"), 8, 8, 3);
        Path csv = dir.resolve("labels.csv");
        Files.writeString(csv, "path,label\na.jpg,dog\n\"sub/b.png\",cat\nc.jpg,dog\nmissing.jpg,cat\n");
        FolderScan s = CsvLabels.read(csv, dir.resolve("imgs"), null, "train");
        assertEquals(List.of("cat", "dog"), s.classes());
        assertEquals(3, s.entries().size());
        assertArrayEquals(new int[] {1}, s.entries().get(0).labels());
        assertArrayEquals(new int[] {0}, s.entries().get(1).labels());
        assertEquals("sub/b", s.entries().get(1).id());
        assertEquals(1, s.skipped().size(), reasons(s.skipped()));
        assertTrue(s.skipped().get(0).reason().contains("file not found"), reasons(s.skipped()));
        assertTrue(s.skipped().get(0).file().endsWith("missing.jpg"));
    }

    @Test
    void csvWithoutHeaderIndexLabelsAndTheClassRange() throws Exception {
        TestImages.write(dir.resolve("0.jpg"), 8, 8, 1);
        TestImages.write(dir.resolve("1.jpg"), 8, 8, 2);
        TestImages.write(dir.resolve("2.jpg"), 8, 8, 3);
        TestImages.write(dir.resolve("3.jpg"), 8, 8, 4);
        Path csv = dir.resolve("l.csv");
        Files.writeString(csv, "0.jpg,2\n1.jpg,0\n2.jpg,5\n3.jpg,-1\n");
        FolderScan own = CsvLabels.read(csv, dir, null, "train");
        assertEquals(List.of("0", "1", "2", "3", "4", "5"), own.classes(), "classes 0..max");
        FolderScan given = CsvLabels.read(csv, dir, List.of("x", "y", "z"), "train");
        assertEquals(2, given.entries().size());
        assertEquals(2, given.skipped().size(), reasons(given.skipped()));
        assertTrue(given.skipped().get(0).reason().contains("'5'") && given.skipped().get(0).file().contains("line 3"),
                reasons(given.skipped()));
        assertTrue(given.skipped().get(1).reason().contains("'-1'"), reasons(given.skipped()));
    }

    @Test
    void idColumnsWithoutExtensionFindTheImage() throws Exception {
        TestImages.write(dir.resolve("images/img1.png"), 8, 8, 1);
        Path csv = dir.resolve("train.csv");
        Files.writeString(csv, "image_id,class\nimg1,cat\n");
        FolderScan s = CsvLabels.read(csv, LabelFiles.imageDir(csv, dir.resolve("images")), null, "train");
        assertEquals(1, s.entries().size());
        assertTrue(s.entries().get(0).file().toString().endsWith("img1.png"));
    }

    @Test
    void aLabelFileNamingOnlyMissingFilesIsAClearError() throws Exception {
        Path csv = dir.resolve("l.csv");
        Files.writeString(csv, "nope.jpg,cat\n");
        ConvkitException e = assertThrows(ConvkitException.class, () -> CsvLabels.read(csv, dir, null, "train"));
        assertTrue(e.getMessage().contains(csv.toString()) && e.getMessage().contains("nope.jpg"), e.getMessage());
    }

    @Test
    void streetNumbersArePaddedWithBlank() throws Exception {
        Path imgs = dir.resolve("mchar_train");
        TestImages.write(imgs.resolve("000000.png"), 20, 10, 1);
        TestImages.write(imgs.resolve("000001.png"), 20, 10, 2);
        TestImages.write(imgs.resolve("000002.png"), 20, 10, 3);
        TestImages.write(imgs.resolve("000003.png"), 20, 10, 4);
        Path json = dir.resolve("mchar_train.json");
        Files.writeString(json, "{\"000001.png\": {\"height\": [1, 2], \"label\": [1, 9], \"left\": [0, 1]},"
                + " \"000000.png\": {\"label\": [2, 3, 5]}, \"000002.png\": {\"label\": [12]},"
                + " \"000003.png\": {\"label\": [4, 4, 4, 4]}, \"000004.png\": {\"label\": [1]}}");
        assertTrue(StreetNumberLabels.matches(json));
        assertEquals(4, StreetNumberLabels.longest(json));
        assertEquals(imgs, LabelFiles.imageDir(json, null), "the sibling folder named like the file");
        FolderScan s = StreetNumberLabels.read(json, LabelFiles.imageDir(json, null), 3, "train");
        assertEquals(11, s.classes().size());
        assertEquals("blank", s.classes().get(StreetNumberLabels.BLANK));
        assertEquals(List.of("000000", "000001"), s.entries().stream().map(FileEntry::id).toList());
        assertArrayEquals(new int[] {2, 3, 5}, s.entries().get(0).labels());
        assertArrayEquals(new int[] {1, 9, 10}, s.entries().get(1).labels());
        String why = reasons(s.skipped());
        assertEquals(3, s.skipped().size(), why);
        assertTrue(why.contains("outside the digits"), why);
        assertTrue(why.contains("4 digits, more than --heads 3"), why);
        assertTrue(why.contains("file not found"), why);
    }

    /** Each JSON format claims only its own files; neither claims what is not a non-empty JSON object. */
    @Test
    void jsonFormatsTellThemselvesApart() throws Exception {
        Path map = dir.resolve("map.json");
        Files.writeString(map, "{\"cat.0.jpg\": \"cat\", \"img/7.png\": 3}");
        Path digits = dir.resolve("digits.json");
        Files.writeString(digits, "{\"000000.png\": {\"label\": [2, 3]}}");
        assertTrue(JsonMapLabels.matches(map));
        assertFalse(StreetNumberLabels.matches(map));
        assertTrue(StreetNumberLabels.matches(digits));
        assertFalse(JsonMapLabels.matches(digits));
        Path fractional = dir.resolve("fractional.json");
        Files.writeString(fractional, "{\"a.jpg\": 1.5}");
        assertFalse(JsonMapLabels.matches(fractional), "a label is a name or a whole index");
        for (String text : new String[] {"{}", "[{\"label\": [1]}]", "\"a.jpg\"", "{not json", ""}) {
            Path f = dir.resolve("other.json");
            Files.writeString(f, text);
            assertFalse(JsonMapLabels.matches(f), text);
            assertFalse(StreetNumberLabels.matches(f), text);
        }
        assertFalse(JsonMapLabels.matches(dir.resolve("absent.json")));
        assertFalse(StreetNumberLabels.matches(dir.resolve("absent.json")));
    }

    @Test
    void splitFilesAreFoundByName() throws Exception {
        Files.writeString(dir.resolve("mchar_train.json"), "{}");
        Files.writeString(dir.resolve("mchar_val.json"), "{}");
        Files.writeString(dir.resolve("notes.csv"), "");
        var m = LabelFiles.splitFiles(dir);
        assertEquals(List.of("train", "valid"), List.copyOf(m.keySet()));
    }

    @Test
    void twoLabelFilesOfOneSplitAreChosenBetweenAsTwoFoldersAre() throws Exception {
        for (String name : List.of("val", "mchar_val", "test1", "test")) {
            Files.writeString(dir.resolve(name + ".csv"), "");
            Files.createDirectories(dir.resolve(name));
        }
        Map<String, Path> files = LabelFiles.splitFiles(dir);
        Map<String, Path> folders = SplitNames.folders(dir);
        assertEquals(List.of("valid", "test"), List.copyOf(files.keySet()));
        assertEquals(folders.keySet(), files.keySet());
        for (String split : folders.keySet()) {
            assertEquals(folders.get(split).getFileName() + ".csv", files.get(split).getFileName().toString(), split);
        }
        assertEquals("val.csv", files.get("valid").getFileName().toString(), "the shortest name, as val/ over mchar_val/");
    }

    @Test
    void aSampleIdIsThePathWithoutItsLastExtensionWhereverTheNameComesFrom() {
        // one rule (FileWalk.id) for listed files, names in label files and label files' own names
        assertEquals("cat/0001", FileWalk.id("cat/0001.jpg"));
        assertEquals("img/7", LabelFiles.id("img\\7.png"), "a Windows path in a label file");
        assertEquals("v1.2/scan", LabelFiles.id("v1.2/scan"), "a dot in a folder is no extension");
        assertEquals("a.b", LabelFiles.id("a.b.jpg"));
        assertEquals(".hidden", ImageExtensions.stem(Path.of("dir/.hidden")));
        assertEquals("mchar_train", ImageExtensions.stem(Path.of("data.v2/mchar_train.json")));
    }

    @Test
    void aFileNamedInALabelFileIsJudgedAsAListedOneIs() throws Exception {
        TestImages.write(dir.resolve("a.jpg"), 8, 8, 1);
        Files.write(dir.resolve("anim.gif"), Files.readAllBytes(dir.resolve("a.jpg")));
        Files.createFile(dir.resolve("empty.jpg"));
        TestImages.write(dir.resolve(".dot.jpg"), 8, 8, 2);
        Path csv = dir.resolve("l.csv");
        Files.writeString(csv, "a.jpg,cat\nanim.gif,cat\nempty.jpg,dog\n.dot.jpg,dog\n");
        FolderScan s = CsvLabels.read(csv, dir, null, "train");
        assertEquals(List.of("a", ".dot"), s.entries().stream().map(FileEntry::id).toList(),
                "a file the user names is taken even when its name starts with a dot");
        assertEquals(List.of(FileWalk.reason("anim.gif", 100), FileWalk.reason("empty.jpg", 0)),
                s.skipped().stream().map(Skipped::reason).toList(), "the reasons a folder listing gives");
    }
}
