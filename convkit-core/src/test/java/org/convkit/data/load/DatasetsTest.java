package org.convkit.data.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.convkit.core.ConvkitException;
import org.convkit.data.Dataset;
import org.convkit.data.OpenOptions;
import org.convkit.data.Sample;
import org.convkit.data.TestImages;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetsTest {
    @TempDir
    Path dir;

    private Path folder(String root, int perClass) {
        Path r = dir.resolve(root);
        for (String c : List.of("ant", "bee", "cow")) {
            for (int i = 0; i < perClass; i++) {
                TestImages.write(r.resolve(c + "/" + i + ".jpg"), 8, 8, c.hashCode() * 100L + i);
            }
        }
        return r;
    }

    @Test
    void aSingleTreeGetsASeededStratifiedValidationSplit() throws Exception {
        Path r = folder("tree", 10);
        OpenOptions o = OpenOptions.defaults().withValidSplit(0.2).withSeed(5);
        Dataset ds = Datasets.open(r.toString(), o);
        assertEquals(List.of("ant", "bee", "cow"), ds.classes());
        assertEquals(24, ds.train().size());
        assertEquals(6, ds.valid().size());
        assertNull(ds.test());
        assertNotSame(ds.train(), ds.valid());
        Set<String> t = new HashSet<>();
        for (int i = 0; i < ds.train().size(); i++) {
            t.add(ds.train().get(i).id());
        }
        int[] perClass = new int[3];
        for (int i = 0; i < ds.valid().size(); i++) {
            Sample s = ds.valid().get(i);
            assertTrue(!t.contains(s.id()), "validation sample " + s.id() + " is also in train");
            perClass[s.labels()[0]]++;
        }
        assertEquals(List.of(2, 2, 2), List.of(perClass[0], perClass[1], perClass[2]));
        Dataset again = Datasets.open(r.toString(), o);
        for (int i = 0; i < ds.valid().size(); i++) {
            assertEquals(ds.valid().get(i).id(), again.valid().get(i).id());
        }
        Dataset none = Datasets.open(r.toString(), o.withValidSplit(0));
        assertNull(none.valid());
        assertEquals(30, none.train().size());
    }

    @Test
    void theSplitLayoutIsUsedAsItIs() {
        Path r = dir.resolve("split");
        TestImages.write(r.resolve("train/a/1.jpg"), 8, 8, 1);
        TestImages.write(r.resolve("train/b/1.jpg"), 8, 8, 2);
        TestImages.write(r.resolve("valid/a/2.jpg"), 8, 8, 3);
        TestImages.write(r.resolve("test/b/3.jpg"), 8, 8, 4);
        Dataset ds = Datasets.open(r.toString(), OpenOptions.defaults());
        assertEquals(2, ds.train().size(), "valid folder present: --valid-split does not apply");
        assertEquals(1, ds.valid().size());
        assertEquals(1, ds.test().size());
        assertEquals(List.of("train", "valid", "test"), ds.splitNames());
    }

    @Test
    void labelFilesByName() throws Exception {
        TestImages.write(dir.resolve("lf/train/x.jpg"), 8, 8, 1);
        TestImages.write(dir.resolve("lf/train/y.jpg"), 8, 8, 2);
        TestImages.write(dir.resolve("lf/test/z.jpg"), 8, 8, 3);
        Files.writeString(dir.resolve("lf/train.csv"), "x.jpg,cat\ny.jpg,dog\n");
        Files.writeString(dir.resolve("lf/test.csv"), "z.jpg,dog\nw.jpg,cat\n");
        Dataset ds = Datasets.open(dir.resolve("lf").toString(), OpenOptions.defaults().withValidSplit(0));
        assertEquals(2, ds.train().size());
        assertEquals(1, ds.test().size());
        assertEquals(1, ds.test().get(0).labels()[0]);
        assertEquals(1, ds.skipped().size());
        assertEquals("test", ds.skipped().get(0).split());
    }

    @Test
    void anIdxFolderNamedNeitherMnistNorFashionHasTheClassesItsLabelsGive() {
        // MNIST's format under another name: the classes are "0".."largest label" of all splits
        Path r = dir.resolve("scans");
        TestImages.idx(r, "train", 4, 0, 1, 2, 3, 0, 1, 2, 3);
        TestImages.idx(r, "t10k", 4, 4, 0);
        Dataset ds = Datasets.open(r.toString(), OpenOptions.defaults().withValidSplit(0));
        List<String> digits = List.of("0", "1", "2", "3", "4");
        assertEquals(digits, ds.classes());
        assertEquals(digits, ds.train().classes(), "train lacks label 4 but has the same classes as test");
        assertEquals(digits, ds.test().classes());
        assertEquals(2, ds.test().size(), "label 4 is a class, not skipped");
        assertTrue(ds.skipped().isEmpty(), ds.skipped().toString());
        assertTrue(ds.layout().stream().anyMatch(l -> l.startsWith("classes 0..4 from the labels")), ds.layout().toString());
        List<String> named = List.of("a", "b", "c", "d", "e");
        assertEquals(named, Datasets.open(r.toString(), OpenOptions.defaults().withValidSplit(0).withClasses(named)).classes());
    }

    @Test
    void badSpecsAreClearErrors() throws Exception {
        ConvkitException missing = assertThrows(ConvkitException.class, () -> Datasets.open(dir.resolve("nope").toString(), OpenOptions.defaults()));
        assertTrue(missing.getMessage().contains("no such file or folder"), missing.getMessage());
        Path txt = Files.writeString(dir.resolve("a.txt"), "x");
        ConvkitException notData = assertThrows(ConvkitException.class, () -> Datasets.open(txt.toString(), OpenOptions.defaults()));
        assertTrue(notData.getMessage().contains("not a dataset"), notData.getMessage());
        assertThrows(ConvkitException.class, () -> OpenOptions.defaults().withValidSplit(1.5));
    }
}
